"""Where each job is: taskiq keeps results only, so a middleware records the rest.

A job is `queued` when sent (again, on a retry) and `running` once a worker takes it.
It has `succeeded` or `failed` once its result is saved: the result itself says which,
so finishing costs no write of its own. Only the last attempt saves a result (the retry
middleware drops the others), so a saved result always means the job is finished.
"""

from typing import Literal

from pydantic import BaseModel
from taskiq import TaskiqMessage, TaskiqMiddleware

from .store import Store

Progress = Literal["queued", "running"]
"""What a job's record says; its saved result tells the rest."""
Status = Literal[Progress, "succeeded", "failed"]


class JobRecord(BaseModel):
    status: Progress
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

    async def _record(self, message: TaskiqMessage, status: Progress) -> None:
        record = JobRecord(status=status, attempt=attempt_of(message))
        await self.store.set(status_key(message.task_id), record.model_dump_json())
