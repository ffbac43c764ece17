{% set redis = cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}
"""The SDK for one process: installed by the lifespan when there is somewhere to send spans.

The SDK reads the standard variables itself: `OTEL_SERVICE_NAME` and
`OTEL_RESOURCE_ATTRIBUTES` (the resource), `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`
(sampling; default: every trace), `OTEL_EXPORTER_OTLP_*` (where and how to send),
`OTEL_BSP_*` (batching). `OTEL_SDK_DISABLED=true` keeps the SDK out, as no endpoint does.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
{% if redis %}
from opentelemetry.instrumentation.redis import RedisInstrumentor
{% endif %}
from opentelemetry.sdk.environment_variables import OTEL_SDK_DISABLED
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..module import Module, Resources
from .logs import trace_ids_in_logs

SERVICE = "{{ cookiecutter.project_slug | replace("_", "-") }}"
ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
NOT_TRACED = "/health/"
"""URLs matching this get no span: probes would fill the traces."""


def exporting() -> bool:
    """Whether an OTLP endpoint is set and the SDK is not disabled: otherwise tracing costs
    (almost) nothing. A disabled SDK would still take the middleware and a batch thread."""
    disabled = os.environ.get(OTEL_SDK_DISABLED, "").strip().lower() == "true"  # as the SDK
    return not disabled and any(os.environ.get(name) for name in ENDPOINTS)


def service() -> Resource:
    """What the spans come from, as the variables say; `SERVICE`, unless they name it."""
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME)).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: SERVICE}))
    return resource


class TracingState(TypedDict):
    dependency_tracing: TracerProvider
    """The provider for calls to dependencies, which records them only inside a trace."""


@asynccontextmanager
async def open_tracing(exporter: SpanExporter | None) -> AsyncIterator[Resources]:
    """Installs the SDK as this process's provider; on exit flushes and shuts it down.

    `exporter`: where spans go, one by one (tests pass an `InMemorySpanExporter`); by
    default, batches to the OTLP endpoint.
    """
    if exporter is None:
        processor: SpanProcessor = BatchSpanProcessor(OTLPSpanExporter())
    else:
        processor = SimpleSpanProcessor(exporter)
    resource = service()
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(processor)
    # Calls to dependencies are recorded only inside a trace: a worker polling Redis or
    # a readiness check makes none of its own. Same processor: `provider` shuts it down.
    dependencies = TracerProvider(
        sampler=ParentBased(ALWAYS_OFF), resource=resource, shutdown_on_exit=False
    )
    dependencies.add_span_processor(processor)
    trace.set_tracer_provider(provider)
{% if redis %}
    # Every Redis client of the process: taskiq's broker makes a new one for each call.
    redis = RedisInstrumentor()
    redis.instrument(tracer_provider=dependencies)
{% endif %}
    try:
        with trace_ids_in_logs():
            yield Resources(TracingState(dependency_tracing=dependencies))
    finally:
{% if redis %}
        redis.uninstrument()
{% endif %}
        await asyncio.to_thread(provider.shutdown)  # sends what is left: may wait


class RouteNames:
    """Names a request's span after its route, `GET /items/{item_id}`, not its path: one name
    for all items, as tracing backends group spans by name. The route is known once routing
    has run, when the response starts; a request no route matched is named by its method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = getattr(scope.get("route"), "path", None)
                span = trace.get_current_span()
                span.update_name(f"{scope['method']} {route}" if route else scope["method"])
                if route:
                    span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, send_named)


@asynccontextmanager
async def ids_in_logs() -> AsyncIterator[Resources]:
    with trace_ids_in_logs():
        yield Resources()


def tracing_module(*, exporter: SpanExporter | None = None) -> Module:
    """Register it first: its span then covers every other layer, and its provider is
    installed before any other module starts."""
    if exporter is None and not exporting():
        return Module(name="tracing", lifespan=lambda _app, _state: ids_in_logs())
    return Module(
        name="tracing",
        middleware=[
            # A span per request, none for each of its ASGI messages.
            Middleware(
                OpenTelemetryMiddleware,
                excluded_urls=NOT_TRACED,
                exclude_spans=["receive", "send"],
            ),
            Middleware(RouteNames),
        ],
        lifespan=lambda _app, _state: open_tracing(exporter),
    )
