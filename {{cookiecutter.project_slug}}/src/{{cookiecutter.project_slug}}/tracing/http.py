"""Spans for outbound HTTP calls, inside the trace of the request or job that makes them;
the trace context goes upstream in a `traceparent` header."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from ..module import Module, Resources, State


@asynccontextmanager
async def trace_calls(state: State) -> AsyncIterator[Resources]:
    """Instruments the shared client; nothing when tracing exports nothing."""
    provider, client = state.get("dependency_tracing"), state.get("http_client")
    if not (isinstance(provider, TracerProvider) and isinstance(client, httpx.AsyncClient)):
        yield Resources()
        return
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
    try:
        yield Resources()
    finally:
        HTTPXClientInstrumentor.uninstrument_client(client)


def http_client_tracing_module() -> Module:
    """Register it after the HTTP client module, whose client it instruments."""
    return Module(name="http_client_tracing", lifespan=lambda _app, state: trace_calls(state))
