"""Spans for database statements, inside the trace of the request or job that runs them.

opentelemetry-instrumentation-sqlalchemy declares SQLAlchemy below 2.1 only; what it uses
(engine events) is unchanged in 2.1, so its version check is skipped (tests/tracing prove it).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine

from ..module import Module, Resources, State


@asynccontextmanager
async def trace_statements(state: State) -> AsyncIterator[Resources]:
    """Instruments the database module's engine; nothing when tracing exports nothing."""
    provider, engine = state.get("dependency_tracing"), state.get("engine")
    if not (isinstance(provider, TracerProvider) and isinstance(engine, AsyncEngine)):
        yield Resources()
        return
    instrumentor = SQLAlchemyInstrumentor()
    instrumentor.instrument(
        engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
    try:
        yield Resources()
    finally:
        instrumentor.uninstrument()


def database_tracing_module() -> Module:
    """Register it after the database module, whose engine it instruments."""
    return Module(name="database_tracing", lifespan=lambda _app, state: trace_statements(state))
