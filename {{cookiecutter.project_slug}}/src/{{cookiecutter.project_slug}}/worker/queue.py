"""The job queue as the service sees it: a broker chosen by the settings, submit, look up.

With no Redis URL, jobs run in this process (`InMemoryBroker`); with one, they go to
a Redis stream that workers read in a consumer group and acknowledge once the result
is saved, so a job whose worker dies is handed to another one.
"""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

import taskiq_fastapi
from fastapi import FastAPI, Request
from pydantic import BaseModel
from redis.asyncio import Redis
from taskiq import AsyncBroker, InMemoryBroker, TaskiqDepends
from taskiq.decor import AsyncTaskiqDecoratedTask
from taskiq.serializers import JSONSerializer
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from ..module import State
{% if cookiecutter.database != "none" %}
from .db_jobs import count_items
{% endif %}
from .jobs import summarize, trim_stream
{% if cookiecutter.websockets %}
from .notify import CompletionNotifier
{% endif %}
from .retry import BackoffRetryMiddleware
from .schemas import Job
from .status import JobRecord, StatusMiddleware, status_key
from .store import MemoryStore, RedisStore, Store
from .streams import StreamBroker

if TYPE_CHECKING:
    from ..modules import Settings

TRIM_INTERVAL = 300
"""Seconds between two runs of the periodic `trim_stream` job."""


class IdempotencyKeyReusedError(Exception):
    """The key came with other parameters before: it cannot name both jobs."""


class JobQueue:
    def __init__(self, settings: "Settings") -> None:
        self.stream: RedisStreamBroker | None = None
        self.store: Store
        self.broker: AsyncBroker
        if settings.redis_url is None:
            self.store = MemoryStore(ttl=settings.job_ttl)
            self.broker = InMemoryBroker(max_stored_results=10_000)
        else:
            self.store = RedisStore(settings.redis_url, settings.worker_queue, settings.job_ttl)
            self.stream = self.broker = _stream_broker(settings, settings.redis_url)
{% if cookiecutter.websockets %}
        self.notifier = CompletionNotifier(settings)
{% endif %}
        self.broker.add_middlewares(
            BackoffRetryMiddleware(
                max_attempts=settings.job_max_attempts,
                delay=settings.job_retry_delay,
                max_delay=settings.job_retry_max_delay,
            ),
{% if cookiecutter.websockets %}
            self.notifier,
{% endif %}
            StatusMiddleware(self.store),
        )
        self.summarize = self.broker.register_task(summarize, task_name="summarize")
        self.broker.register_task(
            trim_stream, task_name="trim_stream", schedule=[{"interval": TRIM_INTERVAL}]
        )
{% if cookiecutter.database != "none" %}
        self.broker.register_task(count_items, task_name="count_items")
{% endif %}

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[State]:
        await self.broker.startup()
        try:
            yield {"jobs": self}
        finally:
            if isinstance(self.broker, InMemoryBroker):
                await self.broker.wait_all()
            await self.broker.shutdown()

    def started(self, app: FastAPI, state: State) -> None:
        """Jobs run in this process resolve `Request` to this app and its state."""
        if isinstance(self.broker, InMemoryBroker):
            taskiq_fastapi.populate_dependency_context(self.broker, app, state)
{% if cookiecutter.websockets %}
            self.notifier.broadcast = state.get("broadcast")
{% endif %}

    async def check(self) -> None:
        """Readiness: the broker's Redis answers."""
        if self.stream is not None:
            async with Redis(connection_pool=self.stream.connection_pool) as redis:
                await redis.ping()

    async def submit(
        self,
        task: AsyncTaskiqDecoratedTask[..., Any],
        params: BaseModel,
        idempotency_key: str | None = None,
    ) -> Job:
        """Queue `task` with `params` as keyword arguments; a known key returns its job."""
        job_id = self.broker.id_generator()
        claim = None
        if idempotency_key is not None:
            fingerprint = hashlib.sha256(
                f"{task.task_name} {params.model_dump_json()}".encode()
            ).hexdigest()
            claim = f"idempotency:{idempotency_key}"
            earlier = await self.store.claim(claim, f"{job_id} {fingerprint}")
            if earlier is not None:
                earlier_id, _, earlier_fingerprint = earlier.partition(" ")
                if earlier_fingerprint != fingerprint:
                    raise IdempotencyKeyReusedError(idempotency_key)
                return await self.get(earlier_id) or Job(id=earlier_id, status="queued", attempt=1)
        try:
            await task.kicker().with_task_id(job_id).kiq(**params.model_dump())
        except BaseException:
            if claim is not None:
                await self.store.delete(claim)
            raise
        return Job(id=job_id, status="queued", attempt=1)

    async def get(self, job_id: str) -> Job | None:
        """The job's status, with its result or error once finished; None when unknown."""
        raw = await self.store.get(status_key(job_id))
        if raw is None:
            return None
        record = JobRecord.model_validate_json(raw)
        backend = self.broker.result_backend
        if record.status == "running" and await backend.is_result_ready(job_id):
            return Job.finished(job_id, record.attempt, await backend.get_result(job_id))
        return Job(id=job_id, status=record.status, attempt=record.attempt)


def _stream_broker(settings: "Settings", url: str) -> RedisStreamBroker:
    broker = StreamBroker(
        url,
        queue_name=settings.worker_queue,
        consumer_group_name="workers",
        consumer_id="0",  # a new group reads what was queued before it existed
        idle_timeout=int(settings.job_redelivery_timeout * 1000),
    )
    return broker.with_result_backend(
        RedisAsyncResultBackend(
            url,
            result_ex_time=settings.job_ttl,
            serializer=JSONSerializer(),
            prefix_str=f"{settings.worker_queue}:result",
        )
    )


async def get_queue(request: Annotated[Request, TaskiqDepends()]) -> JobQueue:
    """The app's job queue, for endpoints and for jobs alike."""
    queue: JobQueue = request.state.jobs
    return queue
