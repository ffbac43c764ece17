"""A job carries the id of the request that queued it: in its labels and on its log lines."""

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.middleware.request_id import (
    REQUEST_ID,
    JsonLinesHandler,
    request_id_module,
)
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue
from {{ cookiecutter.project_slug }}.worker.request_ids import json_worker_logging

from .conftest import WORKER, Start, eventually, running, wait_for
from support.callers import asgi_client

ACCESS = "{{ cookiecutter.project_slug }}.access"
JOB_LOGGERS = ("taskiq.", "{{ cookiecutter.project_slug }}.")


async def own_id() -> str | None:
    return REQUEST_ID.get()


def job_lines(written: str, job_id: str) -> list[dict[str, Any]]:
    """The job's own log lines that name it (not those of the requests about it)."""
    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    return [
        line
        for line in lines
        if job_id in line["message"]
        and line["logger"].startswith(JOB_LOGGERS)
        and line["logger"] != ACCESS
    ]


async def submit(settings: Settings, queue: JobQueue, request_id: str) -> str:
    """Submits the example job through the app, with `request_id`; returns the finished job's
    id."""
    async with (
        running(settings, request_id_module(settings), queue_module(queue)) as app,
        asgi_client(app) as client,
    ):
        headers = {"X-Request-ID": request_id}
        job_id: str = (await client.post("/jobs", json={"numbers": [1]}, headers=headers)).json()[
            "id"
        ]
        assert (await wait_for(client, job_id))["status"] == "succeeded"
    return job_id


async def test_a_job_logs_with_the_id_of_the_request_that_queued_it(
    settings: Settings,
    queue: JobQueue,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO, logger="taskiq")  # "Executing task ... with ID: <id>"
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # the app's JSON lines, then
    job_id = await submit(settings, queue, "queued-by-1")
    lines = job_lines(capsys.readouterr().err, job_id)
    assert any(line["message"].startswith("Executing task summarize") for line in lines)
    assert {line["request_id"] for line in lines} == {"queued-by-1"}


async def test_a_job_queued_outside_a_request_has_no_id(queue: JobQueue) -> None:
    task = queue.broker.register_task(own_id, task_name="own_id")
    await queue.broker.startup()
    try:
        sent = await task.kiq()
        assert (await sent.wait_result(timeout=10)).return_value is None
    finally:
        await queue.broker.shutdown()


def test_a_worker_process_writes_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    level = logging.getLogger().level
    try:
        json_worker_logging()
        [handler] = logging.getLogger().handlers
        assert isinstance(handler, JsonLinesHandler)
        assert logging.getLogger().level == logging.INFO
    finally:
        logging.getLogger().setLevel(level)


@pytest.mark.process
async def test_a_worker_process_logs_with_the_requests_id(
    redis_settings: Settings, start: Start, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    start(WORKER, log=log)
    queue = JobQueue(redis_settings, shutdown_timeout=redis_settings.shutdown_timeout)
    job_id = await submit(redis_settings, queue, "queued-by-2")
    lines = await eventually(lambda: _read(log, job_id), bool)
    assert lines[0]["message"].startswith("Executing task summarize")
    assert {line["request_id"] for line in lines} == {"queued-by-2"}


async def _read(log: Path, job_id: str) -> list[dict[str, Any]]:
    return job_lines(await asyncio.to_thread(log.read_text), job_id)
