{% set db = cookiecutter.database != "none" %}
"""A job is a span in the trace of the request that queued it{% if cookiecutter.websockets %}, and so is its
completion notice, whose message names that trace{% endif %}; its log lines carry
the job's span."""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends
from httpx import AsyncClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from starlette.types import ASGIApp
from taskiq import TaskiqMessage, TaskiqResult

{% if cookiecutter.websockets %}
import realtime.asgi_websocket as asgi_websocket  # the realtime tests' client
{% endif %}
from {{ cookiecutter.project_slug }}.app import create_app
{% if db %}
from {{ cookiecutter.project_slug }}.items.repository import ItemRepository
from {{ cookiecutter.project_slug }}.items.schemas import ItemCreate
from {{ cookiecutter.project_slug }}.items.storage import provide_item_repository
{% endif %}
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.tracing.jobs import JobTracing
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue, get_queue
from {{ cookiecutter.project_slug }}.worker.schemas import Job, SummaryRequest

from .conftest import in_trace, server_span, traced

router = APIRouter()


@router.post("/probe")
async def probe(
    queue: Annotated[JobQueue, Depends(get_queue)],
{% if db %}
    items: Annotated[ItemRepository, Depends(provide_item_repository)],
{% endif %}
) -> Job:
{% if db %}
    """Writes to the database, then queues a job."""
    await items.create(ItemCreate(name="probe"))
{% else %}
    """Queues a job."""
{% endif %}
    return await queue.submit(queue.summarize, SummaryRequest(numbers=[1.0]))


@pytest.fixture
async def app(settings: Settings, exporter: InMemorySpanExporter) -> AsyncIterator[ASGIApp]:
    enabled = traced(settings, exporter, Module(name="probe", routers=[router]))
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


async def finished(client: AsyncClient, job_id: str) -> str:
    """The job's status once it has succeeded or failed."""
    async with asyncio.timeout(10):
        while True:
            status = str((await client.get(f"/jobs/{job_id}")).json()["status"])
            if status in {"succeeded", "failed"}:
                return status
            await asyncio.sleep(0.01)


def named(spans: list[ReadableSpan], prefix: str) -> ReadableSpan:
    [span] = [span for span in spans if span.name.startswith(prefix)]
    return span


async def test_one_trace_from_the_request_to_the_end_of_its_job(
    client: AsyncClient, exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="taskiq")  # "Executing task ... with ID: <id>"
    job_id = (await client.post("/probe")).json()["id"]
    assert await finished(client, job_id) == "succeeded"
    request = server_span(exporter, "POST /probe")
    assert request.context is not None
    spans = in_trace(exporter, request.context.trace_id)
{% if db %}
    insert = named(spans, "INSERT")
    assert insert.parent is not None
    assert insert.parent.span_id == request.context.span_id
{% endif %}
    job = named(spans, "job summarize")
    assert job.kind is trace.SpanKind.CONSUMER
    assert job.attributes is not None
    assert job.attributes["messaging.message.id"] == job_id
    assert job.context is not None
{% if cookiecutter.websockets %}
    publish = named(spans, "publish")
    assert publish.attributes is not None
    assert publish.attributes["messaging.destination.name"] == f"jobs.{job_id}"
    assert publish.parent is not None
    assert publish.parent.span_id == job.context.span_id
{% endif %}
    [executing] = [r for r in caplog.records if r.getMessage().startswith("Executing task")]
    assert vars(executing)["trace_id"] == trace.format_trace_id(request.context.trace_id)
    assert vars(executing)["span_id"] == trace.format_span_id(job.context.span_id)


{% if cookiecutter.websockets %}
async def test_a_jobs_notice_carries_the_trace_of_the_request_that_queued_it(
    app: ASGIApp, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A client following the job finds its trace. The job takes a second: time to
    subscribe to its channel before it ends."""
    job_id = (await client.post("/jobs", json={"numbers": [4], "seconds": 1})).json()["id"]
    async with asgi_websocket.ASGIWebSocket(app) as socket:
        await socket.subscribe(f"jobs.{job_id}")
        notice = await socket.receive_json()
    assert notice["payload"]["status"] == "succeeded"
    request = server_span(exporter, "POST /jobs")
    assert request.context is not None
    assert notice["trace_id"] == trace.format_trace_id(request.context.trace_id)


{% endif %}
@pytest.mark.usefixtures("app")  # the provider
async def test_a_failed_job_is_an_error_span(exporter: InMemorySpanExporter) -> None:
    tracing = JobTracing()
    message = TaskiqMessage(task_id="t1", task_name="broken", labels={}, args=[], kwargs={})
    failed: TaskiqResult[None] = TaskiqResult(
        is_err=True, return_value=None, execution_time=0.0, error=ValueError("broken")
    )

    async def run() -> None:  # in a task of its own, as taskiq runs each job
        tracing.pre_execute(message)
        tracing.post_execute(message, failed)

    await asyncio.create_task(run())
    tracing.post_execute(message, failed)  # no span started here: nothing to end
    [span] = exporter.get_finished_spans()
    assert (span.name, span.status.status_code) == ("job broken", StatusCode.ERROR)
    assert span.status.description == "ValueError"
