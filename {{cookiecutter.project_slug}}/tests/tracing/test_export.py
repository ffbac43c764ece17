{% set db = cookiecutter.database != "none" %}
"""Spans reach a collector: the service, a real process configured by the `OTEL_*` variables
alone, sends them over OTLP/HTTP to a receiver in this test."""

import asyncio
{% if cookiecutter.request_id %}
import json
{% endif %}
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from support.service import Service

pytestmark = pytest.mark.process

{% if db %}
PATH, STATUS, NAME = "/items/42", 404, "GET /items/{item_id}"
"""A request, its status, and the route template its span is named after."""
{% elif cookiecutter.background_worker %}
PATH, STATUS, NAME = "/jobs/42", 404, "GET /jobs/{job_id}"
"""A request, its status, and the route template its span is named after."""
{% else %}
PATH, STATUS, NAME = "/nowhere", 404, "GET"
"""A request no route matches, its status, and its span's name: its method alone."""
{% endif %}


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP endpoint on 127.0.0.1 that keeps the spans POSTed to `/v1/traces`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ExportHandler)
        self.url = f"http://127.0.0.1:{self.server_port}"
        self.spans: list[tuple[str, Span]] = []
        """Each span with the `service.name` of its resource."""


class ExportHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        found = self.path == "/v1/traces"
        if found:
            for resource in ExportTraceServiceRequest.FromString(body).resource_spans:
                [service] = [
                    a.value.string_value
                    for a in resource.resource.attributes
                    if a.key == "service.name"
                ]
                spans = (span for scope in resource.scope_spans for span in scope.spans)
                self.server.spans.extend((service, span) for span in spans)
        self.send_response(200 if found else 404)  # an empty body: an empty response message
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test's output is for failures."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield server
        finally:
            server.shutdown()
            thread.join()


@pytest.fixture
def exporting_to(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's environment (inherited from this process): the receiver as endpoint, a
    batch sent every 50 ms rather than 5 s, and no other `OTEL_*` variable of the shell."""
    for name in [name for name in os.environ if name.startswith("OTEL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy of the shell would not reach it


async def arrived(receiver: Receiver, name: str) -> tuple[str, Span]:
    """The one span called `name` once the receiver has it (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            named = [(service, span) for service, span in receiver.spans if span.name == name]
            if named:
                [found] = named
                return found
            await asyncio.sleep(0.02)


@pytest.mark.usefixtures("exporting_to")
async def test_a_requests_span_reaches_the_collector(
    services: Callable[..., Service], receiver: Receiver
) -> None:
    """The caller's `traceparent` is continued, and the span is named after the route."""
    service = services()
    await service.started()
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    async with service.client() as client:
        headers = {"traceparent": f"00-{trace_id}-{parent_id}-01"}
        assert (await client.get(PATH, headers=headers)).status_code == STATUS
    name, span = await arrived(receiver, NAME)
    assert name == "{{ cookiecutter.project_slug | replace("_", "-") }}"
    assert span.kind == Span.SPAN_KIND_SERVER
    assert (span.trace_id.hex(), span.parent_span_id.hex()) == (trace_id, parent_id)
{% if cookiecutter.request_id %}
    # The span ends after the access line is written: the line is in the output by now.
    lines = [json.loads(line) for line in service.output().splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line["message"] == f"GET {PATH} {STATUS}"]
    assert (access["trace_id"], access["span_id"]) == (trace_id, span.span_id.hex())
{% endif %}
