"""HTTP metrics, measured around everything else, and the `/metrics` endpoint itself.

Outermost of all middleware (first in `modules.py`), the middleware sees every response as
the client gets it, 413s, 429s and 500s of inner layers included, and answers a scrape
before any other layer runs: no access-log line, no rate-limit bucket, and no route, so the
OpenAPI schema does not list it.
"""

import asyncio
import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .exposition import scrape
{% if cookiecutter.websockets %}
from .websocket import measure_websocket
{% endif %}

PATH = "/metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods labelled as themselves; any other is `OTHER`, so clients cannot add series."""
UNMATCHED = "<unmatched>"
"""The route label of a request no route matched (404s): never the raw path."""

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Seconds from a request's arrival to the end of its response, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = Gauge(
    "http_requests_in_flight",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)


class MetricsMiddleware:
    """Pure ASGI. Counts and times every HTTP request; answers `GET /metrics` itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        """Label children per (method, route, status // 100): `labels()` builds a key and
        takes a lock on every call, a dict lookup does not."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
{% if cookiecutter.websockets %}
            if scope["type"] == "websocket":
                await measure_websocket(self.app, scope, receive, send)
                return
{% endif %}
            await self.app(scope, receive, send)
            return
        if scope["path"] == PATH and scope["method"] == "GET":
            await self.scrape(scope, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before responding

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            IN_FLIGHT.dec()
            requests, duration = self.series(scope, status)
            requests.inc()
            duration.observe(time.perf_counter() - start)

    def series(self, scope: Scope, status: int) -> tuple[Counter, Histogram]:
        """The request's counter and histogram children, labelled by the route's template."""
        method = scope["method"]
        if method not in METHODS:
            method = "OTHER"
        route = getattr(scope.get("route"), "path", UNMATCHED)
        key = (method, route, status // 100)
        children = self.children.get(key)
        if children is None:
            status_class = f"{key[2]}xx" if 1 <= key[2] <= 5 else "5xx"
            children = (
                REQUESTS.labels(method, route, status_class),
                DURATION.labels(method, route),
            )
            self.children[key] = children
        return children

    async def scrape(self, scope: Scope, send: Send) -> None:
        accept = ""
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
        body, content_type = await asyncio.to_thread(scrape, accept)
        headers = [
            (b"content-type", content_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
