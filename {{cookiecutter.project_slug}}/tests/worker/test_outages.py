"""Redis outages: the job API answers 503 problems in bounded time, and everything recovers
by itself, without a restart."""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

import pytest
from httpx import AsyncClient, Response

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

import support.relay
import support.service
from .conftest import Start, environ, eventually, relayed, start_worker

FAST = {"redis_timeout": 0.25, "redis_connect_timeout": 0.25, "redis_retries": 1}
"""Redis timeouts of these tests: a stalled command fails within half a second."""
DEADLINE = 0.25 * (1 + 1)
"""What `JobQueue` allows a job API call with FAST settings: `redis_timeout * (retries + 1)`."""
MARGIN = 2.0
"""Room for a busy machine on top of the deadline."""


@pytest.fixture
def settings(redis_settings: Settings, relay: support.relay.Relay) -> Settings:
    """The test's stream, through the relay, with fast Redis timeouts."""
    assert redis_settings.redis_url is not None
    url = relayed(redis_settings.redis_url, relay)
    return redis_settings.model_copy(update={"redis_url": url, **FAST})


def assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == "The job queue is unavailable; try again shortly."


async def assert_down_within_deadline(client: AsyncClient, job_id: str) -> None:
    calls: list[Callable[[], Awaitable[Response]]] = [
        lambda: client.post("/jobs", json={"numbers": [1]}),
        lambda: client.post("/jobs", json={"numbers": [1]}, headers={"Idempotency-Key": "k"}),
        lambda: client.get(f"/jobs/{job_id}"),
    ]
    for call in calls:
        started = time.monotonic()
        assert_unavailable(await call())
        assert time.monotonic() - started < DEADLINE + MARGIN


async def test_refused_redis_is_a_503_problem(
    client: AsyncClient, relay: support.relay.Relay, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = (await client.post("/jobs", json={"numbers": [1]})).json()["id"]
    await relay.cut()
    await assert_down_within_deadline(client, job_id)
    assert "jobs unavailable on GET /jobs/" in caplog.text
    assert not [record for record in caplog.records if record.exc_info], "no traceback"
    await relay.restore()
    assert (await client.get(f"/jobs/{job_id}")).json()["status"] == "queued"
    assert (await client.post("/jobs", json={"numbers": [2]})).status_code == 202


async def test_stalled_redis_is_a_503_problem_within_the_deadline(
    client: AsyncClient, relay: support.relay.Relay, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = (await client.post("/jobs", json={"numbers": [1]})).json()["id"]
    relay.freeze()
    await assert_down_within_deadline(client, job_id)
    assert (await client.get("/health/ready")).json()["checks"].keys() == {"jobs"}
    assert not [record for record in caplog.records if record.exc_info], "no traceback"
    relay.thaw()
    assert (await client.get(f"/jobs/{job_id}")).json()["status"] == "queued"
    assert (await client.post("/jobs", json={"numbers": [2]})).status_code == 202
    assert (await client.get("/health/ready")).status_code == 200


async def test_a_worker_reading_the_stream_waits_out_an_outage(
    settings: Settings, relay: support.relay.Relay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "{{ cookiecutter.project_slug }}.worker.streams")
    queue = JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
    assert queue.stream is not None
    await queue.broker.startup()
    listen = queue.stream.listen()
    try:
        await relay.cut()
        reading = asyncio.create_task(anext(listen))
        await eventually(lambda: _text(caplog), lambda text: "cannot read the Redis stream" in text)
        await relay.restore()
        sent = await queue.summarize.kiq([1.0])
        message = await reading
        assert json.loads(message.data)["task_id"] == sent.task_id
        assert f"reading the Redis stream {settings.worker_queue} again" in caplog.text
        await message.ack()  # type: ignore[misc]
    finally:
        await listen.aclose()
        await queue.broker.shutdown()


@pytest.mark.process
async def test_the_service_and_a_worker_start_without_redis_and_recover(
    services: Callable[..., support.service.Service],
    redis_settings: Settings,
    relay: support.relay.Relay,
    start: Start,
) -> None:
    assert redis_settings.redis_url is not None
    await relay.cut()
    url = relayed(redis_settings.redis_url, relay)
    settings = environ(redis_settings, REDIS_URL=url, REDIS_TIMEOUT="0.5")
    service = services(**settings)
    worker = start_worker(start, **settings)
    await service.started()
    assert "jobs" in await service.failing_checks()
    async with service.client() as client:
        assert_unavailable(await client.post("/jobs", json={"numbers": [1, 2]}))
        await relay.restore()
        await eventually(service.failing_checks, lambda failing: not failing)
        response = await client.post("/jobs", json={"numbers": [1, 2]})
        assert response.status_code == 202
        job = await eventually(
            lambda: client.get(response.headers["location"]),
            lambda reply: reply.json()["status"] == "succeeded",
        )
    assert job.json()["result"] == {"count": 2, "total": 3.0, "mean": 1.5}
    assert worker.poll() is None, "the worker kept running through the outage"
    await service.terminate()
    log = service.output()
    assert "Traceback" not in log
    assert "unhandled error" not in log


async def _text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text
