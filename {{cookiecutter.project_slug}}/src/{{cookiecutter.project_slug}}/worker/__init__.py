"""Background jobs with taskiq: in this process by default, on Redis Streams with a Redis URL."""

from typing import TYPE_CHECKING

from ..module import Module
from .errors import JobsUnavailableError, unavailable
from .queue import JobQueue
from .routes import router
from .settings import WorkerSettings

if TYPE_CHECKING:
    from ..modules import Settings

__all__ = ["WorkerSettings", "queue_module", "worker_module"]


def worker_module(settings: "Settings") -> Module:
    return queue_module(JobQueue(settings))


def queue_module(queue: JobQueue) -> Module:
    """The module around an existing queue (tests register extra jobs on it first)."""
    return Module(
        name="worker",
        routers=[router],
        lifespan=queue.lifespan,
        checks={} if queue.stream is None else {"jobs": queue.check},
        exception_handlers={JobsUnavailableError: unavailable},
        started=queue.started,
    )
