"""Outbound HTTP metrics: every call to an upstream, by host, status class and duration.

The transport wraps the retries, so a call counts once, as the code that made it saw it:
its status, or `error` when it got none (refused, timed out, cut off at the deadline).
The host label comes from the settings' base URLs, not from clients: its values are few.
"""

import time

import httpx
from prometheus_client import Counter, Histogram

CALLS = Counter(
    "http_client_requests_total",
    "Calls to upstreams, by host and status class (`error`: no response).",
    ["host", "status"],
)
DURATION = Histogram(
    "http_client_request_duration_seconds",
    "Seconds from a call to its response headers, retries included, by upstream host.",
    ["host"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class MeasuredTransport(httpx.AsyncBaseTransport):
    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        start = time.perf_counter()
        status = "error"
        try:
            response = await self.transport.handle_async_request(request)
            status = f"{response.status_code // 100}xx"
            return response
        finally:
            DURATION.labels(host).observe(time.perf_counter() - start)
            CALLS.labels(host, status).inc()

    async def aclose(self) -> None:
        await self.transport.aclose()
