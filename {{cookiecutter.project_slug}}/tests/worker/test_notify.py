"""Finished jobs are published on the WebSocket channel `jobs.<id>`."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.realtime import open_broadcast, realtime_module
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

from .conftest import Start, eventually, running, start_worker, wait_for


class Recorder:
    """Stands in for the app's broadcast, keeping what is published."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Any, str | None, str | None]] = []

    async def publish(
        self, channel: str, payload: Any, sender: str | None = None, request_id: str | None = None
    ) -> None:
        self.published.append((channel, payload, sender, request_id))


@pytest.fixture
async def app(settings: Settings, queue: JobQueue) -> AsyncIterator[ASGIApp]:
    async with running(settings, realtime_module(settings), queue_module(queue)) as app:
        yield app


async def test_jobs_run_by_the_app_use_its_broadcast(client: AsyncClient, queue: JobQueue) -> None:
    assert queue.notifier.broadcast is not None
    recorder = Recorder()
    queue.notifier.broadcast = recorder  # type: ignore[assignment]
    job_id = (await client.post("/jobs", json={"numbers": [3]})).json()["id"]
    job = await wait_for(client, job_id)
    assert recorder.published == [(f"jobs.{job_id}", job, "jobs", None)]  # no request ids here


@pytest.mark.process
async def test_a_worker_process_publishes_to_the_apps_processes(
    redis_settings: Settings, start: Start
) -> None:
    frames: list[tuple[str, str]] = []
    queue = JobQueue(redis_settings, shutdown_timeout=redis_settings.shutdown_timeout)
    async with open_broadcast(redis_settings, lambda *frame: frames.append(frame)):
        await queue.broker.startup()
        try:
            start_worker(start)
            sent = await queue.summarize.kiq([2.0, 4.0])
            await eventually(lambda: _ready(frames), bool)
        finally:
            await queue.broker.shutdown()
    [(channel, frame)] = frames
    message = json.loads(frame)
    assert channel == f"jobs.{sent.task_id}"
    assert message["sender"] == "jobs"
    assert message["payload"] == {
        "id": sent.task_id,
        "status": "succeeded",
        "attempt": 1,
        "result": {"count": 2, "total": 6.0, "mean": 3.0},
        "error": None,
    }


async def _ready(frames: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return frames
