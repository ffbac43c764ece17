"""Retries of calls whose connection failed, with exponential backoff and full jitter.

Only a call that reached no upstream code is retried: its method is idempotent (sending
it twice has the effect of sending it once) and it failed before any response arrived,
because the connection could not be opened or broke before the status line. A slow
answer (read timeout) or an error status is not retried: the upstream may be at work on
it, and retrying would multiply the load on a service that is already struggling.

A deadline bounds each call, attempts and waits together: a retry that could not finish
in time is not tried, and an attempt still waiting for its response at the deadline is
cut off, as a timeout.
"""

import asyncio
import logging
import random

import httpx

logger = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose repetition does no harm (RFC 9110, 9.2.2); TRACE is never sent."""

CONNECTION_ERRORS = (
    httpx.ConnectError,  # refused, unresolvable, unreachable
    httpx.ConnectTimeout,
    httpx.ReadError,  # reset while waiting for the status line
    httpx.WriteError,  # reset while sending the request
    httpx.RemoteProtocolError,  # closed without a response (a stale keep-alive connection)
)
"""Failures before any response: the transport returns once the status line and headers
arrived, so an error it raises never follows a response."""


class DeadlineExceededError(httpx.TimeoutException):
    """The call had no response within its deadline, retries included."""


def backoff(retry: int, base: float, cap: float) -> float:
    """Seconds to wait before retry `retry` (1, 2, ...): at random from 0 up to
    `min(cap, base * 2 ** (retry - 1))`.

    Full jitter: clients that failed together do not retry together.
    """
    ceiling = min(cap, base * 2 ** (retry - 1))
    return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not secrecy


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: retries idempotent requests that got no response, within a deadline."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        retries: int,
        backoff_base: float,
        backoff_cap: float,
        deadline: float,
    ) -> None:
        self.transport = transport
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.deadline = deadline

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.deadline
        # A body read from an iterator is gone once sent; bytes can be sent again.
        replayable = isinstance(request.stream, httpx.ByteStream)
        retries = self.retries if request.method in IDEMPOTENT and replayable else 0
        retry = 0
        while True:
            timeout = asyncio.timeout_at(give_up_at)
            try:
                async with timeout:
                    return await self.transport.handle_async_request(request)
            except TimeoutError as error:
                if not timeout.expired():
                    raise
                message = f"no response within the deadline of {self.deadline} s"
                raise DeadlineExceededError(message, request=request) from error
            except CONNECTION_ERRORS as error:
                retry += 1
                delay = backoff(retry, self.backoff_base, self.backoff_cap)
                if retry > retries or loop.time() + delay >= give_up_at:
                    raise
                logger.info(
                    "retrying %s %s in %.3f s (retry %d of %d): %r",
                    request.method,
                    request.url.host,
                    delay,
                    retry,
                    retries,
                    error,
                    extra={"upstream": request.url.host, "retry": retry, "delay": delay},
                )
                await asyncio.sleep(delay)

    async def aclose(self) -> None:
        await self.transport.aclose()
