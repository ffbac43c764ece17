{% set redis = cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}
"""Requests become spans; log lines{% if cookiecutter.websockets %} and WebSocket messages{% endif %} carry their ids; nothing is set up
without an endpoint, or with the SDK disabled."""

{% if cookiecutter.request_id %}
import json
{% endif %}
import logging
import threading

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from httpx import AsyncClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
{% if redis %}
from opentelemetry.trace import SpanKind
from redis.asyncio import Redis
{% endif %}
{% if cookiecutter.websockets %}
from starlette.types import ASGIApp
{% endif %}

{% if cookiecutter.websockets %}
import realtime.asgi_websocket as asgi_websocket  # the realtime tests' client
{% endif %}
from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
{% if cookiecutter.websockets %}
from {{ cookiecutter.project_slug }}.realtime import realtime_module
{% endif %}
from {{ cookiecutter.project_slug }}.tracing import tracing_module
from {{ cookiecutter.project_slug }}.tracing.provider import ENDPOINTS, service

from .conftest import server_span, traced
from support.callers import asgi_client

probe_logger = logging.getLogger("{{ cookiecutter.project_slug }}.probe")
router = APIRouter()


@router.get("/probe")
async def probe() -> None:
    probe_logger.warning("inside")


PROBE = Module(name="probe", routers=[router])


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ENDPOINTS, "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["no endpoint", "sdk disabled"])
def not_exporting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint, or one with `OTEL_SDK_DISABLED=true` (case and blanks as the SDK reads it)."""
    request.getfixturevalue("no_endpoint")
    if request.param == "sdk disabled":
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
        monkeypatch.setenv("OTEL_SDK_DISABLED", " True")


async def test_a_request_is_a_server_span_whose_ids_its_log_lines_carry(
    settings: Settings, exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, enabled=traced(settings, exporter, PROBE))
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        assert (await client.get("/probe")).status_code == 200
    span = server_span(exporter, "GET /probe")
    assert span.context is not None
    [record] = [r for r in caplog.records if r.name == probe_logger.name]
    assert vars(record)["trace_id"] == trace.format_trace_id(span.context.trace_id)
    assert vars(record)["span_id"] == trace.format_span_id(span.context.span_id)
    assert isinstance(trace.get_tracer_provider(), TracerProvider)


{% if cookiecutter.request_id %}
async def test_the_access_line_carries_the_ids_too(
    settings: Settings,
    exporter: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The line the request-id middleware writes directly (no `LogRecord`) has them."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    app = create_app(settings, enabled=traced(settings, exporter, PROBE))
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        await client.get("/probe")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    inside, access = [line for line in lines if line["message"] in ("inside", "GET /probe 200")]
    span = server_span(exporter, "GET /probe")
    assert span.context is not None
    ids = {
        "trace_id": trace.format_trace_id(span.context.trace_id),
        "span_id": trace.format_span_id(span.context.span_id),
    }
    assert {key: access[key] for key in ids} == ids
    assert {key: inside[key] for key in ids} == ids


{% endif %}
async def test_health_probes_make_no_spans(
    client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert exporter.get_finished_spans() == ()


async def test_the_lifespan_shuts_the_provider_down(
    settings: Settings, exporter: InMemorySpanExporter
) -> None:
    async with LifespanManager(create_app(settings, enabled=traced(settings, exporter))):
        trace.get_tracer(__name__).start_span("while running").end()
    trace.get_tracer(__name__).start_span("after").end()  # the shut exporter takes nothing
    assert [span.name for span in exporter.get_finished_spans()] == ["while running"]


@pytest.mark.usefixtures("not_exporting")
async def test_nothing_is_set_up_without_an_endpoint_or_with_the_sdk_disabled(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    module = tracing_module()
    assert not module.middleware
    app = create_app(settings, enabled=[module, PROBE])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        assert (await client.get("/probe")).status_code == 200
        assert not isinstance(trace.get_tracer_provider(), TracerProvider)
        assert not trace.get_tracer(__name__).start_span("nowhere").is_recording()
        exporting = [t.name for t in threading.enumerate() if t.name.startswith("OtelBatch")]
        assert exporting == []
    [record] = [r for r in caplog.records if r.name == probe_logger.name]
    assert (vars(record)["trace_id"], vars(record)["span_id"]) == (None, None)


@pytest.mark.usefixtures("no_endpoint")
async def test_an_endpoint_installs_the_sdk_for_the_lifespan(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    module = tracing_module()
    assert module.middleware
    async with LifespanManager(create_app(settings, enabled=[module])):
        assert isinstance(trace.get_tracer_provider(), TracerProvider)


def test_the_service_is_named_after_the_project_unless_a_variable_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert service().attributes["service.name"] == "{{ cookiecutter.project_slug | replace("_", "-") }}"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "billing")
    assert service().attributes["service.name"] == "billing"
{% if redis %}


@pytest.mark.usefixtures("app")  # its tracing
async def test_redis_commands_are_spans_inside_a_trace_only(
    exporter: InMemorySpanExporter, redis_url: str
) -> None:
    client = Redis.from_url(redis_url)
    try:
        await client.ping()  # in no trace: no span
        with trace.get_tracer(__name__).start_as_current_span("caller") as caller:
            await client.ping()
    finally:
        await client.aclose()
    [command] = [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]
    assert command.name == "PING"
    assert command.parent is not None
    assert command.parent.span_id == caller.get_span_context().span_id
{% endif %}
{% if cookiecutter.websockets %}


async def test_a_message_published_over_http_carries_the_requests_trace(
    app: ASGIApp, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A subscriber finds the trace, and the log lines, of what it receives."""
    async with asgi_websocket.ASGIWebSocket(app) as socket:
        await socket.subscribe("news")
        published = await client.post("/channels/news/messages", json={"payload": 1})
        assert published.status_code == 202
        message = await socket.receive_json()
    request = server_span(exporter, "POST /channels/{channel}/messages")
    assert request.context is not None
    assert message["trace_id"] == trace.format_trace_id(request.context.trace_id)


@pytest.mark.usefixtures("no_endpoint")
async def test_without_an_endpoint_messages_carry_no_trace(settings: Settings) -> None:
    app = create_app(settings, enabled=[tracing_module(), realtime_module(settings)])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
        asgi_websocket.ASGIWebSocket(manager.app) as socket,
    ):
        await socket.subscribe("news")
        await client.post("/channels/news/messages", json={"payload": 1})
        message = await socket.receive_json()
    assert (message["payload"], message["trace_id"]) == (1, None)
{% endif %}
