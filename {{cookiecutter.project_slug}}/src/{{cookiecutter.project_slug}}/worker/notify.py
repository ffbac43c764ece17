"""Finished jobs are published on the WebSocket channel `jobs.<id>`: wait without polling."""

from contextlib import AsyncExitStack
from typing import Any

from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from ..realtime import Broadcast, RealtimeSettings, open_broadcast
from .schemas import Job
from .status import attempt_of

JOB_CHANNEL_PREFIX = "jobs."


def job_channel(job_id: str) -> str:
    return JOB_CHANNEL_PREFIX + job_id


class CompletionNotifier(TaskiqMiddleware):
    """Publishes each finished job as `GET /jobs/{id}` shows it.

    Jobs run by the service use the service's broadcast (`JobQueue.lifespan` hands it
    over from the app's state); a worker process opens its own with `settings`.
    """

    def __init__(self, settings: RealtimeSettings | None) -> None:
        super().__init__()
        self.settings = settings
        self.broadcast: Broadcast | None = None
        self._stack = AsyncExitStack()

    async def startup(self) -> None:
        if self.broker.is_worker_process and self.settings is not None:
            self.broadcast = await self._stack.enter_async_context(open_broadcast(self.settings))

    async def shutdown(self) -> None:
        await self._stack.aclose()

    async def post_save(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        if self.broadcast is not None:
            job = Job.finished(message.task_id, attempt_of(message), result)
            payload = job.model_dump(mode="json")
            # The id of the request that queued the job, when request ids are on.
            request_id = message.labels.get("request_id")
            await self.broadcast.publish(job_channel(job.id), payload, "jobs", request_id)
