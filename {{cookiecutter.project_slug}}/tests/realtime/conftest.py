"""Small limits, so tests reach them with a few messages."""

import pytest

from {{ cookiecutter.project_slug }}.modules import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "redis_url": None,
            "realtime_max_message_size": 1024,
            "realtime_send_queue_size": 8,
            "realtime_max_channels": 3,
            "realtime_max_invalid_messages": 3,
        }
    )
