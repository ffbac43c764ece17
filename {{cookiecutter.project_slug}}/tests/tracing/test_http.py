"""Outbound calls are spans of the request that makes them, and carry its trace upstream."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import HttpUrl
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import http_client_module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.tracing import tracing_module
from {{ cookiecutter.project_slug }}.tracing.http import http_client_tracing_module

from .conftest import in_trace, server_span
from support.upstream import URL, Upstream


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def app(
    settings: Settings, exporter: InMemorySpanExporter, upstream: Upstream
) -> AsyncIterator[ASGIApp]:
    settings = settings.model_copy(update={"rates_url": HttpUrl(URL)})
    enabled = [
        tracing_module(exporter=exporter),
        http_client_module(settings, transport=upstream.transport),
        http_client_tracing_module(),
    ]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


async def test_a_call_upstream_is_a_span_of_its_request(
    client: AsyncClient, exporter: InMemorySpanExporter, upstream: Upstream
) -> None:
    assert (await client.get("/rates/EUR/USD")).status_code == 200
    request = server_span(exporter, "GET /rates/{base}/{quote}")
    assert request.context is not None
    [call] = [s for s in in_trace(exporter, request.context.trace_id) if s.kind is SpanKind.CLIENT]
    assert call.name == "GET"
    assert call.context is not None
    [sent] = upstream.requests
    trace_id, span_id = (f"{call.context.trace_id:032x}", f"{call.context.span_id:016x}")
    assert sent.headers["traceparent"].startswith(f"00-{trace_id}-{span_id}-")  # then: flags
