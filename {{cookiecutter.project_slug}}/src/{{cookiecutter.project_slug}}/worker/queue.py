"""The job queue as the service sees it: a broker chosen by the settings, submit, look up.

With no Redis URL, jobs run in this process (`LocalBroker`); with one, they go to
a Redis stream that workers read in a consumer group and acknowledge once the result
is saved, so a job whose worker dies is handed to another one.
"""

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.requests import HTTPConnection
from taskiq import AsyncBroker, InMemoryBroker, TaskiqDepends
from taskiq.decor import AsyncTaskiqDecoratedTask
from taskiq.serializers import JSONSerializer
from taskiq_redis import RedisAsyncResultBackend

from ..module import ReadinessCheck, Resources, State
{% if cookiecutter.websockets %}
from ..realtime import RealtimeSettings, broadcast_in
{% endif %}
{% if cookiecutter.tracing %}
from ..tracing.jobs import JobTracing
{% endif %}
{% if cookiecutter.database != "none" %}
from .db_jobs import count_items
{% endif %}
from .errors import redis_outages
{% if cookiecutter.http_client %}
from .http_jobs import fetch_rate
{% endif %}
from .jobs import summarize, trim_stream
{% if cookiecutter.metrics %}
from .metrics import JobMetricsMiddleware
{% endif %}
{% if cookiecutter.websockets %}
from .notify import CompletionNotifier
{% endif %}
{% if cookiecutter.request_id %}
from .request_ids import RequestIdLabel
{% endif %}
from .retry import BackoffRetryMiddleware
from .schemas import Job
from .settings import WorkerSettings
from .status import SUBMITTER, JobRecord, StatusMiddleware, status_key, submitter_key
from .store import MemoryStore, RedisStore, Store
from .streams import StreamBroker

logger = logging.getLogger(__name__)

TRIM_INTERVAL = 300
"""Seconds between two runs of the periodic `trim_stream` job."""
UNWIND = 1.0
"""Seconds jobs cancelled by a stop get to unwind (roll back, release what they hold)."""
MAX_CONNECTIONS = 50
"""Redis connections per process; a burst beyond waits up to `redis_timeout` for a free one."""


class IdempotencyKeyReusedError(Exception):
    """The key came with other parameters before: it cannot name both jobs."""


class LocalBroker(InMemoryBroker):
    """Runs each job as a task of this process's event loop."""

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the running jobs, and the retries they send; then
        cancel the rest, which `StatusMiddleware` records as interrupted."""
        running = self._running_tasks  # InMemoryBroker's set of the tasks running jobs
        if running:
            logger.info("waiting up to %s s for %d running jobs", grace, len(running))
        try:
            async with asyncio.timeout(grace):
                while running:
                    await asyncio.wait(set(running))
        except TimeoutError:
            # taskiq logs a cancelled job as an error, traceback and all; it was interrupted.
            receiver_log = logging.getLogger("taskiq.receiver.receiver")
            receiver_log.addFilter(_not_cancelled)
            try:
                for task in running:
                    task.cancel()
                if running:
                    await asyncio.wait(set(running), timeout=UNWIND)
            finally:
                receiver_log.removeFilter(_not_cancelled)


def _not_cancelled(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


class JobQueue:
    def __init__(
        self,
        settings: WorkerSettings,
        *,
        shutdown_timeout: float,
{% if cookiecutter.websockets %}
        realtime: RealtimeSettings | None = None,
{% endif %}
    ) -> None:
{% if cookiecutter.websockets %}
        """`shutdown_timeout`: seconds a stop gives the jobs running in this process.
        `realtime`: where a worker process publishes finished jobs (None: nowhere).
        """
{% else %}
        """`shutdown_timeout`: seconds a stop gives the jobs running in this process."""
{% endif %}
        self.stream: StreamBroker | None = None
        self.store: Store
        self.broker: AsyncBroker
        self.shutdown_timeout = shutdown_timeout
        self.deadline: float | None = None
        """Seconds a job API call may wait for Redis in all, however many commands it sends."""
        if settings.redis_url is None:
            self.store = MemoryStore(ttl=settings.job_ttl)
            self.broker = LocalBroker(max_stored_results=10_000)
        else:
            self.stream = self.broker = _stream_broker(settings, settings.redis_url)
            pool = self.stream.connection_pool
            self.store = RedisStore(pool, settings.worker_queue, settings.job_ttl)
            self.deadline = settings.redis_timeout * (settings.redis_retries + 1)
{% if cookiecutter.websockets %}
        self.notifier = CompletionNotifier(realtime)
{% endif %}
        self.broker.add_middlewares(
{% if cookiecutter.metrics %}
            JobMetricsMiddleware(),  # first: it sees each run's own outcome
{% endif %}
{% if cookiecutter.tracing %}
            JobTracing(),
{% endif %}
{% if cookiecutter.request_id %}
            RequestIdLabel(),
{% endif %}
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
{% if cookiecutter.http_client %}
        self.broker.register_task(fetch_rate, task_name="fetch_rate")
{% endif %}

    @asynccontextmanager
    async def lifespan(self, app: FastAPI, state: State) -> AsyncIterator[Resources]:
        """Connects to nothing: with Redis down the service starts, and readiness says why.

        Jobs run in this process resolve `Request` to this app and its state, as endpoints
{% if cookiecutter.websockets %}
        do, and publish their completion on the app's broadcast.
{% else %}
        do.
{% endif %}
        """
        if isinstance(self.broker, InMemoryBroker):

            def request() -> Request:
                # Copied as a job starts, as servers copy it for each request: `state` is the
                # app's, which by then holds every module's resources, this queue included.
                return Request({"type": "http", "app": app, "state": dict(state)})

            self.broker.dependency_overrides.update({Request: request, HTTPConnection: request})
{% if cookiecutter.websockets %}
            self.notifier.broadcast = broadcast_in(state)
{% endif %}
        checks: dict[str, ReadinessCheck] = {} if self.stream is None else {"jobs": self.check}
        await self.broker.startup()
        try:
            yield Resources(JobsState(jobs=self), checks)
        finally:
            if isinstance(self.broker, LocalBroker):
                await self.broker.finish(self.shutdown_timeout)
            await self.broker.shutdown()

    async def check(self) -> None:
        """Readiness: the broker's Redis answers."""
        if self.stream is not None:
            await self.stream.redis.ping()

    async def submit(
        self,
        task: AsyncTaskiqDecoratedTask[..., Any],
        params: BaseModel,
        idempotency_key: str | None = None,
        submitter: str | None = None,
    ) -> Job:
        """Queue `task` with `params` as keyword arguments; a known key returns its job.

        `submitter` owns the job: `get` shows it to no other submitter, a key names one job
        per submitter, and the job finds it in its message's labels (`SUBMITTER`).
        """
        async with self._redis():
            return await self._submit(task, params, idempotency_key, submitter)

    async def get(self, job_id: str, submitter: str | None = None) -> Job | None:
        """The job's status, with its result or error once finished; None when unknown, or
        when someone other than `submitter` submitted it (a job the service queued on its
        own, the scheduler's say, has no submitter: every submitter may see it)."""
        async with self._redis():
            if submitter is not None and not await self._nobody_else_submitted(job_id, submitter):
                return None
            return await self._get(job_id)

    async def shown_to(self, job_id: str, submitter: str) -> bool:
        """Whether `get(job_id, submitter)` shows a job, without reading its result."""
        async with self._redis():
            shown = await self._nobody_else_submitted(job_id, submitter)
            return shown and await self.store.get(status_key(job_id)) is not None

    async def _nobody_else_submitted(self, job_id: str, submitter: str) -> bool:
        """No one else submitted the job (it may not exist)."""
        return await self.store.get(submitter_key(job_id)) in (None, submitter)

    @asynccontextmanager
    async def _redis(self) -> AsyncIterator[None]:
        """A Redis outage as `JobsUnavailableError`, raised within `deadline` seconds."""
        with redis_outages():
            async with asyncio.timeout(self.deadline):
                yield

    async def _submit(
        self,
        task: AsyncTaskiqDecoratedTask[..., Any],
        params: BaseModel,
        idempotency_key: str | None,
        submitter: str | None,
    ) -> Job:
        job_id = self.broker.id_generator()
        claim = None
        if idempotency_key is not None:
            fingerprint = hashlib.sha256(
                f"{task.task_name} {params.model_dump_json()}".encode()
            ).hexdigest()
            claim = f"idempotency:{idempotency_key}"
            if submitter is not None:  # hex digits: no submitter's key looks like another's
                owner = hashlib.sha256(submitter.encode()).hexdigest()
                claim = f"idempotency:{owner}:{idempotency_key}"
            earlier = await self.store.claim(claim, f"{job_id} {fingerprint}")
            if earlier is not None:
                earlier_id, _, earlier_fingerprint = earlier.partition(" ")
                if earlier_fingerprint != fingerprint:
                    raise IdempotencyKeyReusedError(idempotency_key)
                return await self._get(earlier_id) or Job(id=earlier_id, status="queued", attempt=1)
        kicker = task.kicker().with_task_id(job_id)
        if submitter is not None:
            await self.store.set(submitter_key(job_id), submitter)
            kicker = kicker.with_labels(**{SUBMITTER: submitter})
        try:
            await kicker.kiq(**params.model_dump())
        except BaseException:
            if claim is not None:
                await self.store.delete(claim)
            raise
        return Job(id=job_id, status="queued", attempt=1)

    async def _get(self, job_id: str) -> Job | None:
        raw = await self.store.get(status_key(job_id))
        if raw is None:
            return None
        record = JobRecord.model_validate_json(raw)
        backend = self.broker.result_backend
        if record.status != "queued" and await backend.is_result_ready(job_id):
            return Job.finished(job_id, record.attempt, await backend.get_result(job_id))
        return Job(id=job_id, status=record.status, attempt=record.attempt)


def _stream_broker(settings: WorkerSettings, url: str) -> StreamBroker:
    """The broker, and its result backend on the same connection pool, with the settings'
    timeouts: a command, or the wait for a free connection, ends within `redis_timeout`."""
    broker = StreamBroker(
        url,
        queue_name=settings.worker_queue,
        consumer_group_name="workers",
        consumer_id="0",  # a new group reads what was queued before it existed
        idle_timeout=int(settings.job_redelivery_timeout * 1000),
        xread_block=max(1, int(settings.redis_timeout * 500)),  # ends before the read times out
        max_connection_pool_size=MAX_CONNECTIONS,
        timeout=settings.redis_timeout,
        **settings.redis_options(),
    )
    backend: RedisAsyncResultBackend[Any] = RedisAsyncResultBackend(
        url,
        result_ex_time=settings.job_ttl,
        serializer=JSONSerializer(),
        prefix_str=f"{settings.worker_queue}:result",
    )
    backend.redis_pool = broker.connection_pool  # one pool per process, not one per client
    broker.with_result_backend(backend)
    return broker


class JobsState(TypedDict):
    jobs: JobQueue


async def get_queue(request: Annotated[Request, TaskiqDepends()]) -> JobQueue:
    """The app's job queue, for endpoints and for jobs alike."""
    queue: JobQueue = request.state.jobs
    return queue
