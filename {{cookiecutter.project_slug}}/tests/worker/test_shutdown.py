"""A stop waits `SHUTDOWN_TIMEOUT` for running jobs, no longer; what it cuts short is
recorded as interrupted and, on Redis, run again by another worker."""

import asyncio
import logging
import random
import time
from collections.abc import Callable

import pytest

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import UNWIND, JobQueue

import support.service
from .conftest import eventually, running, wait_for
from support.callers import asgi_client

pytestmark = pytest.mark.process

GRACE = 1.0
"""The shutdown timeout of these tests."""
MARGIN = 5.0
"""Room for a busy machine: still far below the jobs' own durations."""


async def test_a_stop_interrupts_the_jobs_that_outlast_the_shutdown_timeout(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "taskiq.smart_retry_middleware")
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # retry after a full minute
    queue = JobQueue(
        settings.model_copy(update={"job_retry_delay": 60, "job_retry_max_delay": 60}),
        shutdown_timeout=GRACE,
    )
    failures = 0

    async def stuck() -> None:
        await asyncio.Event().wait()

    async def failing() -> None:
        nonlocal failures
        failures += 1
        raise ConnectionError("the service it calls is down")

    async def brief() -> str:
        await asyncio.sleep(GRACE / 10)
        return "done"

    stuck_task, failing_task, brief_task = (
        queue.broker.register_task(job, task_name=job.__name__) for job in (stuck, failing, brief)
    )
    async with (
        running(settings, queue_module(queue)) as app,
        asgi_client(app) as client,
    ):
        stuck_id = (await stuck_task.kiq()).task_id
        failing_id = (await failing_task.kiq()).task_id
        await wait_for(client, stuck_id, frozenset({"running"}))
        await eventually(lambda: _text(caplog), lambda text: "Retrying 1/3 in 60" in text)
        brief_id = (await brief_task.kiq()).task_id
        stopping = time.monotonic()
    assert time.monotonic() - stopping < GRACE + UNWIND + MARGIN
    for job_id in (stuck_id, failing_id):
        job = await queue.get(job_id)
        assert job is not None
        assert (job.status, job.attempt, job.error) == ("interrupted", 1, None)
        assert f"job {job_id} (attempt 1) interrupted by the shutdown" in caplog.text
    assert failures == 1, "an interrupted job is not retried"
    finished = await queue.get(brief_id)
    assert finished is not None
    assert (finished.status, finished.result) == ("succeeded", "done")


async def test_sigterm_stops_the_service_within_the_shutdown_timeout(
    services: Callable[..., support.service.Service],
) -> None:
    service = services(SHUTDOWN_TIMEOUT=str(GRACE))
    await service.started()
    async with service.client() as client:
        job_id = (await client.post("/jobs", json={"numbers": [1], "seconds": 60})).json()["id"]
        await eventually(
            lambda: client.get(f"/jobs/{job_id}"),
            lambda response: response.json()["status"] == "running",
        )
    assert await service.terminate() < GRACE + UNWIND + MARGIN
    log = service.output()
    assert f"job {job_id} (attempt 1) interrupted by the shutdown" in log
    assert "Application shutdown complete" in log
    assert "Traceback" not in log


async def _text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text
