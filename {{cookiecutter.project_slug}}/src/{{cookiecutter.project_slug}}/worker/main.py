"""The worker processes' broker and scheduler, built from the settings.

`taskiq worker {{ cookiecutter.project_slug }}.worker.main:broker` runs jobs. On SIGTERM or
Ctrl-C it takes no new ones and waits for the running ones to save their result and be
acknowledged; whatever it had fetched but not started stays pending in the stream and
goes to another worker. `python -m {{ cookiecutter.project_slug }}.worker.scheduler` queues
the periodic jobs.
"""

import taskiq_fastapi
from taskiq import AsyncBroker, TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

from ..modules import Settings
from ..settings import ENV_PREFIX
from .queue import JobQueue


def _queue() -> JobQueue:
    settings = Settings()
    if settings.redis_url is None:
        raise SystemExit(
            f"Set {ENV_PREFIX}REDIS_URL: without Redis, jobs run inside the service itself."
        )
    return JobQueue(settings)


def broker() -> AsyncBroker:
    """Jobs see the app's dependencies and lifespan state, as its endpoints do."""
    broker = _queue().broker
    taskiq_fastapi.init(broker, "{{ cookiecutter.project_slug }}.main:app")
    return broker


def scheduler() -> TaskiqScheduler:
    """Sends the jobs registered with a `schedule` label (see `JobQueue`)."""
    broker = _queue().broker
    return TaskiqScheduler(broker, [LabelScheduleSource(broker)])
