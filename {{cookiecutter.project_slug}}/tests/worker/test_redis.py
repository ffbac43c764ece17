"""Jobs through a real Redis and real worker processes (`taskiq worker`, the scheduler)."""

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncGenerator, AsyncIterator

import pytest
from httpx import AsyncClient
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from taskiq import AckableMessage, Context, TaskiqMessage

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker.jobs import trim_stream
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue
from {{ cookiecutter.project_slug }}.worker.streams import trim_acknowledged

from .conftest import Start, eventually, start_worker, wait_for

pytestmark = pytest.mark.process


@pytest.fixture
def settings(redis_settings: Settings) -> Settings:
    return redis_settings


async def stop(process: subprocess.Popen[bytes], how: signal.Signals) -> int:
    os.killpg(process.pid, how)
    return await asyncio.to_thread(process.wait, 60)


async def test_a_hundred_jobs_complete_through_a_worker(
    client: AsyncClient, start: Start, redis: Redis, queue: JobQueue
) -> None:
    start_worker(start)
    submitted = [
        (await client.post("/jobs", json={"numbers": [n, n + 1]})).json()["id"] for n in range(100)
    ]
    jobs = [await wait_for(client, job_id) for job_id in submitted]
    assert [job["result"] for job in jobs] == [
        {"count": 2, "total": 2.0 * n + 1, "mean": n + 0.5} for n in range(100)
    ]
    assert {job["status"] for job in jobs} == {"succeeded"}
    assert queue.stream is not None
    stream = queue.stream.queue_name
    await eventually(lambda: redis.xpending(stream, "workers"), lambda p: p["pending"] == 0)
    assert await trim_acknowledged(queue.stream) == 100
    assert await redis.xlen(queue.stream.queue_name) == 0


async def test_a_job_survives_its_worker_being_killed(client: AsyncClient, start: Start) -> None:
    first = start_worker(start)
    job_id = (await client.post("/jobs", json={"numbers": [7], "seconds": 3})).json()["id"]
    await wait_for(client, job_id, frozenset({"running"}))
    await stop(first, signal.SIGKILL)
    start_worker(start)
    job = await wait_for(client, job_id)
    assert (job["status"], job["result"]) == ("succeeded", {"count": 1, "total": 7.0, "mean": 7.0})


async def test_sigterm_lets_the_running_job_finish_and_be_acknowledged(
    client: AsyncClient, start: Start, redis: Redis, settings: Settings
) -> None:
    worker = start_worker(start)
    job_id = (await client.post("/jobs", json={"numbers": [1], "seconds": 1})).json()["id"]
    await wait_for(client, job_id, frozenset({"running"}))
    assert await stop(worker, signal.SIGTERM) == 0
    job = (await client.get(f"/jobs/{job_id}")).json()
    assert job["status"] == "succeeded"
    assert (await redis.xpending(settings.worker_queue, "workers"))["pending"] == 0


async def test_a_stopped_worker_leaves_an_interrupted_job_to_another(
    client: AsyncClient, start: Start, redis: Redis, settings: Settings
) -> None:
    first = start_worker(start, SHUTDOWN_TIMEOUT="1")
    job_id = (await client.post("/jobs", json={"numbers": [4, 6], "seconds": 3})).json()["id"]
    await wait_for(client, job_id, frozenset({"running"}))
    stopping = time.monotonic()
    assert await stop(first, signal.SIGTERM) == 0
    # 1 s for the job, up to taskiq's 5 s for the broker to close, room for a busy machine
    assert time.monotonic() - stopping < 9
    job = (await client.get(f"/jobs/{job_id}")).json()
    assert (job["status"], job["attempt"]) == ("interrupted", 1)
    pending = await redis.xpending(settings.worker_queue, "workers")
    assert pending["pending"] == 1, "left unacknowledged, for another worker"
    start_worker(start)
    job = await wait_for(client, job_id)
    assert (job["status"], job["result"]) == ("succeeded", {"count": 2, "total": 10.0, "mean": 5.0})


async def test_the_scheduler_sends_the_periodic_job(
    client: AsyncClient, start: Start, redis: Redis, settings: Settings
) -> None:
    start_worker(start)
    scheduler = start("{{ cookiecutter.project_slug }}.worker.scheduler")
    sent = await eventually(lambda: redis.xrange(settings.worker_queue), bool)
    fields = sent[0][1]
    assert fields is not None
    message = json.loads(fields[b"data"])
    assert message["task_name"] == "trim_stream"
    job = await wait_for(client, message["task_id"])
    assert job["status"] == "succeeded"
    assert await stop(scheduler, signal.SIGTERM) == 0


async def test_readiness_checks_the_brokers_redis(client: AsyncClient) -> None:
    assert (await client.get("/health/ready")).status_code == 200


async def test_readiness_fails_without_the_brokers_redis(settings: Settings) -> None:
    settings = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    queue = JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
    with pytest.raises(RedisConnectionError):
        await queue.check()


async def test_a_broker_takes_over_what_another_left_unacknowledged(
    settings: Settings, redis: Redis
) -> None:
    # Taken over after 0.5 s: nothing runs the job here, so none outlasts that.
    settings = settings.model_copy(update={"job_redelivery_timeout": 0.5})
    sender, first, second = (
        JobQueue(settings, shutdown_timeout=settings.shutdown_timeout) for _ in range(3)
    )
    for queue in (sender, first, second):
        await queue.broker.startup()
    assert first.stream is not None
    assert second.stream is not None
    first_listen, second_listen = first.stream.listen(), second.stream.listen()
    try:
        sent = await sender.summarize.kiq([1.0])
        taken = await anext(first_listen)  # and never acknowledged, as if its worker died
        taken_over = await anext(second_listen)
        assert taken_over.data == taken.data
        assert json.loads(taken_over.data)["task_id"] == sent.task_id
        await taken_over.ack()  # type: ignore[misc]
        assert (await redis.xpending(settings.worker_queue, "workers"))["pending"] == 0
    finally:
        await first_listen.aclose()
        await second_listen.aclose()
        for queue in (sender, first, second):
            await queue.broker.shutdown()


Listening = tuple[JobQueue, AsyncGenerator[AckableMessage, None]]


@pytest.fixture
async def listening(settings: Settings) -> AsyncIterator[Listening]:
    """A queue, and its stream read as a worker reads it (closed after the test)."""
    queue = JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
    await queue.broker.startup()
    assert queue.stream is not None
    listen = queue.stream.listen()
    try:
        yield queue, listen
    finally:
        await listen.aclose()
        await queue.broker.shutdown()


async def test_the_periodic_job_trims_only_acknowledged_entries(
    listening: Listening, settings: Settings, redis: Redis
) -> None:
    queue, listen = listening
    for n in range(3):
        await queue.summarize.kiq([float(n)])
    done, running = await anext(listen), await anext(listen)
    await done.ack()  # type: ignore[misc]
    message = TaskiqMessage(task_id="t", task_name="trim_stream", labels={}, args=[], kwargs={})
    assert await trim_stream(Context(message, queue.broker)) == 1
    assert await redis.xlen(settings.worker_queue) == 2
    await running.ack()  # type: ignore[misc]


async def test_a_listening_broker_reads_again_after_redis_lost_the_stream(
    listening: Listening, settings: Settings, redis: Redis
) -> None:
    """A Redis restarted without its data: the group is declared again, no job is missed."""
    queue, listen = listening
    await queue.summarize.kiq([1.0])
    await (await anext(listen)).ack()  # type: ignore[misc]
    await redis.delete(settings.worker_queue)
    sent = await queue.summarize.kiq([2.0])
    again = await asyncio.wait_for(anext(listen), 10)
    assert json.loads(again.data)["task_id"] == sent.task_id
    await again.ack()  # type: ignore[misc]
    assert (await redis.xpending(settings.worker_queue, "workers"))["pending"] == 0
