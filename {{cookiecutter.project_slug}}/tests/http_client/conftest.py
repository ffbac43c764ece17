"""The HTTP client module alone, in front of a fake upstream."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from pydantic import HttpUrl
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import http_client_module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.upstream import URL, Upstream


@pytest.fixture
def settings() -> Settings:
    """The rates upstream configured; retries wait a millisecond at most."""
    return Settings(
        environment="test",
        rates_url=HttpUrl(URL),
        http_client_backoff_base=0.001,
        http_client_backoff_cap=0.001,
        gc_young_threshold=0,
        _env_file=None,
    )


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def app(settings: Settings, upstream: Upstream) -> AsyncIterator[ASGIApp]:
    module = http_client_module(settings, transport=upstream.transport)
    async with LifespanManager(create_app(settings, enabled=[module])) as manager:
        yield manager.app
