"""A fake rates upstream: behind `httpx.MockTransport` (no network), or served on a local port
for other processes; either records every request."""

import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

HOST = "rates.internal.example"
URL = f"http://{HOST}/v1"

Answer = Callable[[httpx.Request], Awaitable[httpx.Response]]


RATE = {"rate": 1.0832, "date": "2025-01-31"}


async def rate(request: httpx.Request) -> httpx.Response:
    """What the upstream answers when all is well."""
    return httpx.Response(200, json=RATE)


def status(code: int) -> Answer:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, json={"message": "upstream says no"})

    return answer


def raising(error: type[httpx.TransportError], times: int | None = None) -> Answer:
    """Raise `error` `times` times (None: always), then answer as `rate` does."""
    failures = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal failures
        if times is None or failures < times:
            failures += 1
            raise error("simulated failure", request=request)
        return await rate(request)

    return answer


class Upstream:
    """Answers with `answer` (settable by each test), and records every request it got."""

    def __init__(self) -> None:
        self.answer: Answer = rate
        self.requests: list[httpx.Request] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@contextmanager
def served() -> Iterator[tuple[str, list[str]]]:
    """The upstream on a free local port, in a thread of its own, answering every request
    with `RATE`: its base URL, and the request lines it got. For other processes, and for
    clients that run an event loop of their own (schemathesis)."""
    body = json.dumps(RATE).encode()
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.requestline)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read `received`."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
