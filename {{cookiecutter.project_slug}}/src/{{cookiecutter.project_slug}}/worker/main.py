"""The worker processes' broker and scheduler, built from the settings.

`python -m {{ cookiecutter.project_slug }}.worker` runs jobs (see `__main__.py`);
`python -m {{ cookiecutter.project_slug }}.worker.scheduler` queues the periodic jobs.
"""

import taskiq_fastapi
from taskiq import AsyncBroker, TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

from ..modules import Settings
from ..settings import ENV_PREFIX
from ..startup import load_settings
from .queue import JobQueue


def worker_settings() -> Settings:
    """The settings as the service starts with them (`startup.py`), which must also name a
    Redis; else the process ends with one line per problem."""
    settings = load_settings()
    if settings.redis_url is None:
        raise SystemExit(
            f"Set {ENV_PREFIX}REDIS_URL: without Redis, jobs run inside the service itself."
        )
    return settings


def _queue() -> JobQueue:
    settings = worker_settings()
{% if cookiecutter.websockets %}
    return JobQueue(settings, shutdown_timeout=settings.shutdown_timeout, realtime=settings)
{% else %}
    return JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
{% endif %}


def broker() -> AsyncBroker:
    """Jobs see the app's dependencies and lifespan state, as its endpoints do."""
    broker = _queue().broker
    taskiq_fastapi.init(broker, "{{ cookiecutter.project_slug }}.main:app")
    return broker


def scheduler() -> TaskiqScheduler:
    """Sends the jobs registered with a `schedule` label (see `JobQueue`)."""
    broker = _queue().broker
    return TaskiqScheduler(broker, [LabelScheduleSource(broker)])
