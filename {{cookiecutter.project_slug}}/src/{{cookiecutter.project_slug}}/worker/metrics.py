"""Job metrics, counted by a taskiq middleware wherever jobs are sent and run.

Sending happens in the service; running, in the service too without Redis, or in worker
processes with it: these count into their own process, so a scrape of the service shows
them only when every process shares one `PROMETHEUS_MULTIPROC_DIR` (the README says how).
Labels are task names, which the code registers: their values are few.
"""

import asyncio
from typing import Any

from prometheus_client import Counter, Histogram
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from .status import attempt_of

ENQUEUED = Counter("jobs_enqueued_total", "Jobs sent to the queue (first attempts).", ["task"])
RETRIED = Counter("jobs_retried_total", "Failed runs sent to the queue again.", ["task"])
STARTED = Counter("jobs_started_total", "Runs started (every attempt).", ["task"])
SUCCEEDED = Counter("jobs_succeeded_total", "Runs that returned a result.", ["task"])
FAILED = Counter("jobs_failed_total", "Runs that raised (retried or not).", ["task"])
DURATION = Histogram(
    "jobs_duration_seconds",
    "Seconds a run took, whatever its outcome (runs cut short by a stop left out).",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)


class JobMetricsMiddleware(TaskiqMiddleware):
    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        sent = ENQUEUED if attempt_of(message) == 1 else RETRIED
        sent.labels(message.task_name).inc()
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        STARTED.labels(message.task_name).inc()
        return message

    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        if not isinstance(exception, asyncio.CancelledError):  # a stop cut it short
            FAILED.labels(message.task_name).inc()

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        """Runs first among the middleware: later ones turn a retried failure, or a run cut
        short, into `NoResultError` (see `retry.py`, `status.py`)."""
        if isinstance(result.error, asyncio.CancelledError):
            return
        if not result.is_err:
            SUCCEEDED.labels(message.task_name).inc()
        DURATION.labels(message.task_name).observe(result.execution_time)
