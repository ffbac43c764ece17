"""RFC 9457 problem details: every error leaves the service as `application/problem+json`."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)


class Problem(BaseModel):
    """The body of every error response; extensions are extra members."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


PROBLEM_RESPONSE: dict[str, Any] = {
    "model": Problem,
    "content": {"application/problem+json": {}},
}
"""Use in a route's `responses=` to document an error status."""


def problem(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """A problem response whose title is the standard phrase of its status."""
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        **extensions,
    )
    return ProblemResponse(body.model_dump(exclude_none=True), status, headers=headers)


async def http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for this type only
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    return problem(exc.status_code, detail, instance=request.url.path, headers=exc.headers)


async def validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    errors = [
        {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return problem(422, "The request is not valid.", instance=request.url.path, errors=errors)


async def unhandled_error(request: Request, exc: Exception) -> ProblemResponse:
    """Log the failure with its traceback; tell the client nothing about internals.

    `UnhandledErrorMiddleware` calls it for the app's errors; Starlette, outside every
    middleware, for one raised by a middleware itself. The request id, when there is one,
    comes from `request.state`.
    """
    request_id: str | None = getattr(request.state, "request_id", None)
    logger.exception(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=exc,
        extra={"request_id": request_id},
    )
    return problem(
        500,
        "The server failed to handle this request.",
        instance=request.url.path,
        request_id=request_id,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unhandled_error)
