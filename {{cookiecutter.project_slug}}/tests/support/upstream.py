"""A fake rates upstream: behind `httpx.MockTransport` (no network), or served on a local port
for other processes; either records every request."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

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


@asynccontextmanager
async def serving() -> AsyncIterator[tuple[str, list[str]]]:
    """The upstream on a free local port, answering every request with `RATE`: its base URL,
    and the request lines it got."""
    body = json.dumps(RATE).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    received: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        received.append(request.decode().split("\r\n", 1)[0])
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}/v1", received
