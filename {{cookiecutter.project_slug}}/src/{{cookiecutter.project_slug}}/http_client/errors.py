"""Upstream failures as HTTP problems: too slow is 504, unreachable or failing is 502, not
configured is 503.

The log line names the upstream's host; the response never does: clients learn that a
dependency failed, not where the service's dependencies live.
"""

import logging

import httpx
from fastapi import Request

from ..problems import PROBLEM_RESPONSE, ProblemResponse, Responses, problem
from ..settings import variable

logger = logging.getLogger(__name__)

RESPONSES: Responses = {
    502: PROBLEM_RESPONSE | {"description": "The upstream is unreachable, or failed."},
    503: PROBLEM_RESPONSE | {"description": "The upstream's URL is not configured."},
    504: PROBLEM_RESPONSE | {"description": "The upstream did not answer in time."},
}
"""The statuses of an operation that calls an upstream, for its `responses=`."""


class UpstreamNotConfiguredError(Exception):
    """The setting naming an upstream's URL is unset."""

    def __init__(self, setting: str) -> None:
        self.variable = variable(setting)
        super().__init__(f"{self.variable} is unset")


class UpstreamResponseError(Exception):
    """The upstream answered, but not as its API says (its body does not match, say)."""

    def __init__(self, response: httpx.Response, why: str) -> None:
        super().__init__(why)
        self.upstream = response.request.url.host


async def not_configured(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, UpstreamNotConfiguredError)  # noqa: S101 - registered for this type only
    logger.warning("upstream not configured on %s %s: %s", request.method, request.url.path, exc)
    detail = f"The upstream this operation needs is not configured: set {exc.variable}."
    return problem(503, detail, instance=request.url.path)


async def timed_out(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, httpx.TimeoutException)  # noqa: S101 - registered for this type only
    _log(request, _host(exc), repr(exc))
    return problem(504, "The upstream service did not answer in time.", instance=request.url.path)


async def unreachable(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, httpx.TransportError)  # noqa: S101 - registered for this type only
    _log(request, _host(exc), repr(exc))
    return problem(502, "The upstream service is unreachable.", instance=request.url.path)


async def error_status(request: Request, exc: Exception) -> ProblemResponse:
    """What `response.raise_for_status()` raised: the upstream answered with an error."""
    assert isinstance(exc, httpx.HTTPStatusError)  # noqa: S101 - registered for this type only
    _log(request, _host(exc), f"status {exc.response.status_code}")  # the URL may hold a key
    return problem(502, "The upstream service failed.", instance=request.url.path)


async def unusable(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, UpstreamResponseError)  # noqa: S101 - registered for this type only
    _log(request, exc.upstream, str(exc))
    return problem(502, "The upstream service failed.", instance=request.url.path)


def _host(error: httpx.HTTPError) -> str:
    try:
        return error.request.url.host
    except RuntimeError:  # raised outside a client's call, with no request attached
        return "unknown"


def _log(request: Request, upstream: str, why: str) -> None:
    logger.warning(
        "upstream %s failed on %s %s: %s",
        upstream,
        request.method,
        request.url.path,
        why,
        extra={"upstream": upstream},
    )


EXCEPTION_HANDLERS = {
    UpstreamNotConfiguredError: not_configured,
    httpx.TimeoutException: timed_out,
    httpx.TransportError: unreachable,
    httpx.HTTPStatusError: error_status,
    UpstreamResponseError: unusable,
}
"""Starlette picks the handler of the closest class: a timeout is a transport error too."""
