"""Redis outages on the job API: a 503 the client can retry, not a 500.

Refused connections, dropped ones, timeouts and taskiq's wrapping of them all arrive as
different exceptions; `JobQueue` turns each into `JobsUnavailableError`.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from redis.exceptions import RedisError
from taskiq.exceptions import SendTaskError

from ..problems import ProblemResponse, problem, unavailable_response

logger = logging.getLogger(__name__)

RETRY_AFTER = 5
"""Seconds a client is told to wait before trying again while Redis is unreachable."""

OUTAGES = (RedisError, OSError)
"""Redis refused, dropped or did not answer (`TimeoutError` is an `OSError`)."""

UNAVAILABLE = unavailable_response("Redis, which holds the jobs, is unreachable or too slow.")


class JobsUnavailableError(Exception):
    """Redis, where jobs are queued and recorded, cannot be reached or did not answer in time."""


@contextmanager
def redis_outages() -> Iterator[None]:
    """Raise `JobsUnavailableError` for any kind of Redis outage inside the block."""
    try:
        yield
    except SendTaskError as error:
        if not isinstance(error.__cause__, OUTAGES):
            raise
        raise JobsUnavailableError(_describe(error.__cause__)) from error
    except OUTAGES as error:
        raise JobsUnavailableError(_describe(error)) from error


async def unavailable(request: Request, exc: Exception) -> ProblemResponse:
    logger.warning("jobs unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        503,
        "The job queue is unavailable; try again shortly.",
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError) and not str(error):
        return "Redis did not answer in time"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
