"""Background jobs with taskiq: in this process by default, on Redis Streams with a Redis URL."""

from ..module import Module
from .errors import JobsUnavailableError, unavailable
from .queue import JobQueue
from .routes import router
from .settings import WorkerSettings

__all__ = ["JobQueue", "JobsUnavailableError", "WorkerSettings", "queue_module", "worker_module"]


def worker_module(settings: WorkerSettings, *, shutdown_timeout: float) -> Module:
    return queue_module(JobQueue(settings, shutdown_timeout=shutdown_timeout))


def queue_module(queue: JobQueue) -> Module:
    """The module around an existing queue (tests register extra jobs on it first)."""
    return Module(
        name="worker",
        routers=[router],
        lifespan=queue.lifespan,
        exception_handlers={JobsUnavailableError: unavailable},
    )
