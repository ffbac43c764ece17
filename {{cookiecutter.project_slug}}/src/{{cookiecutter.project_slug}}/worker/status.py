"""Where each job is: taskiq keeps results only, so a middleware records the rest.

A job is `queued` when sent (again, on a retry) and `running` once a worker takes it.
It has `succeeded` or `failed` once its result is saved: the result itself says which,
so finishing costs no write of its own. Only the last attempt saves a result (the retry
middleware drops the others), so a saved result always means the job is finished.

A job still running when its process stops is `interrupted`: it saves no result. On Redis
its delivery stays unacknowledged, so another worker runs it again after
`JOB_REDELIVERY_TIMEOUT` (and it is `running` again); in the service's own process it ends there.
"""

import asyncio
import logging
from typing import Any, Literal

from pydantic import BaseModel
from redis.exceptions import RedisError
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult
from taskiq.exceptions import NoResultError

from .store import Store

logger = logging.getLogger(__name__)

Progress = Literal["queued", "running", "interrupted"]
"""What a job's record says; its saved result tells the rest."""
Status = Literal[Progress, "succeeded", "failed"]


class JobRecord(BaseModel):
    status: Progress
    attempt: int


SUBMITTER = "submitter"
"""The label that names who submitted a job, when someone did."""


def status_key(job_id: str) -> str:
    return f"status:{job_id}"


def submitter_key(job_id: str) -> str:
    return f"submitter:{job_id}"


def attempt_of(message: TaskiqMessage) -> int:
    """1 for the first run; the retry middleware counts failed runs in `_retries`."""
    return int(message.labels.get("_retries", 0)) + 1


class StatusMiddleware(TaskiqMiddleware):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.running: set[tuple[str, int]] = set()
        """Runs (job id, attempt) this process started and has not seen end."""

    async def shutdown(self) -> None:
        """Record the runs the stop cut short (see the module's docstring), then close."""
        for job_id, attempt in sorted(self.running):
            logger.warning("job %s (attempt %d) interrupted by the shutdown", job_id, attempt)
            try:
                await self._record(job_id, "interrupted", attempt)
            except (RedisError, OSError) as error:
                logger.warning("job %s: cannot record the interruption: %s", job_id, error)
        self.running.clear()
        await self.store.close()

    async def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        await self._record(message.task_id, "queued", attempt_of(message))
        return message

    async def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        self.running.add((message.task_id, attempt_of(message)))
        await self._record(message.task_id, "running", attempt_of(message))
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        """A run cancelled by the shutdown saves no result: it did not fail, it was cut short."""
        if isinstance(result.error, asyncio.CancelledError):
            result.error = NoResultError()
        else:
            self.running.discard((message.task_id, attempt_of(message)))

    async def _record(self, job_id: str, status: Progress, attempt: int) -> None:
        record = JobRecord(status=status, attempt=attempt)
        await self.store.set(status_key(job_id), record.model_dump_json())
