"""Apps that trace into memory: `tracing_module(exporter=...)` in place of the registry's."""

from collections.abc import AsyncIterator, Iterator

import pytest
from asgi_lifespan import LifespanManager
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules
from {{ cookiecutter.project_slug }}.tracing import tracing_module


@pytest.fixture(autouse=True)
def unset_provider() -> Iterator[None]:
    """OpenTelemetry's API takes one provider per process, and each test here installs its
    own: the API forgets it after the test (as OpenTelemetry's own tests do)."""
    yield
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def traced(settings: Settings, exporter: InMemorySpanExporter, *more: Module) -> list[Module]:
    """The registry's modules, tracing into `exporter`, then `more`."""
    registry = [module for module in modules(settings) if module.name != "tracing"]
    return [tracing_module(exporter=exporter), *registry, *more]


@pytest.fixture
async def app(settings: Settings, exporter: InMemorySpanExporter) -> AsyncIterator[ASGIApp]:
    async with LifespanManager(create_app(settings, enabled=traced(settings, exporter))) as manager:
        yield manager.app


def server_span(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    """The one server span called `name` (e.g. `GET /items`)."""
    [span] = [s for s in exporter.get_finished_spans() if s.name == name and is_server(s)]
    return span


def is_server(span: ReadableSpan) -> bool:
    return span.kind is trace.SpanKind.SERVER


def in_trace(exporter: InMemorySpanExporter, trace_id: int) -> list[ReadableSpan]:
    spans = exporter.get_finished_spans()
    return [span for span in spans if span.context and span.context.trace_id == trace_id]
