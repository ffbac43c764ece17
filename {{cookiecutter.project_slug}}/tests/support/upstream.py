"""A fake rates upstream behind `httpx.MockTransport`: no network, every request recorded."""

from collections.abc import Awaitable, Callable

import httpx

HOST = "rates.internal.example"
URL = f"http://{HOST}/v1"

Answer = Callable[[httpx.Request], Awaitable[httpx.Response]]


async def rate(request: httpx.Request) -> httpx.Response:
    """What the upstream answers when all is well."""
    return httpx.Response(200, json={"rate": 1.0832, "date": "2025-01-31"})


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
