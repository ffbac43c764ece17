"""Jobs in `/metrics`: sent, retried, started, and how each run ended, whichever process
ran them."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.metrics import metrics_module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

from .conftest import Start, environ, flaky_job, running, start_worker, wait_for
from support.metrics import value
from support.service import Service

COUNTERS = ("enqueued", "retried", "started", "succeeded", "failed")


@pytest.fixture
async def app(settings: Settings, queue: JobQueue) -> AsyncIterator[ASGIApp]:
    async with running(settings, metrics_module(settings), queue_module(queue)) as app:
        yield app


async def counts(client: AsyncClient, task: str) -> dict[str, float]:
    counters = {name: await value(client, f"jobs_{name}_total", task=task) for name in COUNTERS}
    return counters | {"runs": await value(client, "jobs_duration_seconds_count", task=task)}


async def test_a_job_failing_twice_then_succeeding(client: AsyncClient, queue: JobQueue) -> None:
    before = await counts(client, "flaky")
    sent = await queue.broker.register_task(flaky_job(failures=2), task_name="flaky").kiq()
    assert (await wait_for(client, sent.task_id))["status"] == "succeeded"
    after = await counts(client, "flaky")
    changes = {"enqueued": 1, "retried": 2, "started": 3, "succeeded": 1, "failed": 2, "runs": 3}
    assert {name: after[name] - before[name] for name in after} == changes


@pytest.mark.process
async def test_a_worker_process_counts_into_the_services_scrape(
    services: Callable[..., Service],
    start: Start,
    redis_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With Redis the service sends jobs and a worker runs them: sharing one
    `PROMETHEUS_MULTIPROC_DIR`, the service's scrape shows the worker's runs too."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    # unprefixed, read by prometheus-client itself: both processes inherit it from this one
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    service = services(**environ(redis_settings))
    start_worker(start)
    await service.started()
    async with service.client() as client:
        job_id = (await client.post("/jobs", json={"numbers": [1, 2]})).json()["id"]
        assert (await wait_for(client, job_id))["status"] == "succeeded"
        # counted before the status is saved: no waiting for the scrape to catch up
        ran = {"enqueued": 1, "retried": 0, "started": 1, "succeeded": 1, "failed": 0, "runs": 1}
        assert await counts(client, "summarize") == ran
