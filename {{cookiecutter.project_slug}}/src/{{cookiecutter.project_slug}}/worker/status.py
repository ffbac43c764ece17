"""Where each job is: taskiq keeps results only, so a middleware records the rest.

A job is `queued` when sent (again, on a retry), `running` once a worker takes it,
and `succeeded` or `failed` once its result is saved: that last record is written
after the result, so a finished status always has a result to show.
"""

from typing import Any, Literal

from pydantic import BaseModel
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from .store import Store

Status = Literal["queued", "running", "succeeded", "failed"]


class JobRecord(BaseModel):
    status: Status
    attempt: int


def status_key(job_id: str) -> str:
    return f"status:{job_id}"


def attempt_of(message: TaskiqMessage) -> int:
    """1 for the first run; the retry middleware counts failed runs in `_retries`."""
    return int(message.labels.get("_retries", 0)) + 1


class StatusMiddleware(TaskiqMiddleware):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    async def shutdown(self) -> None:
        await self.store.close()

    async def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        await self._record(message, "queued")
        return message

    async def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        await self._record(message, "running")
        return message

    async def post_save(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        await self._record(message, "failed" if result.is_err else "succeeded")

    async def _record(self, message: TaskiqMessage, status: Status) -> None:
        record = JobRecord(status=status, attempt=attempt_of(message))
        await self.store.set(status_key(message.task_id), record.model_dump_json())
