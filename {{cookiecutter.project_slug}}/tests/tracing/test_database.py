"""Database statements are spans of the request that runs them."""

from httpx import AsyncClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from .conftest import in_trace, server_span


async def test_a_statement_is_a_span_of_its_request(
    client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    assert (await client.post("/items", json={"name": "traced"})).status_code == 201
    request = server_span(exporter, "POST /items")
    assert request.context is not None
    spans = in_trace(exporter, request.context.trace_id)
    statements = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert any(span.name.startswith("INSERT") for span in statements), statements


async def test_statements_outside_a_trace_make_no_spans(
    client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """`/health/ready` runs a statement, but probes are not traced."""
    assert (await client.get("/health/ready")).status_code == 200
    assert exporter.get_finished_spans() == ()
