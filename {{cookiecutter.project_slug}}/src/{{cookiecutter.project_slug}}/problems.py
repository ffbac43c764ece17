"""RFC 9457 problem details: every error leaves the service as `application/problem+json`."""

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

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


Responses = dict[int | str, dict[str, Any]]
"""A route's or a router's `responses=`: what each status code documents."""

PROBLEM_RESPONSE: dict[str, Any] = {
    "model": Problem,
    "content": {"application/problem+json": {}},
}
"""Use in a route's `responses=` to document an error status."""


def unavailable_response(why: str) -> dict[str, Any]:
    """A documented 503: a problem, and when to try again."""
    retry_after = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
    return PROBLEM_RESPONSE | {"description": why, "headers": {"Retry-After": retry_after}}


METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
WITH_BODY = {
    "400": "The body is not UTF-8, or could not be read.",
    "413": "The body is larger than the service accepts.",
}
WITH_INPUT = {"422": "The request does not match this operation's parameters or body."}


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
    headers = exc.headers
    if exc.status_code == 405:
        headers = {"Allow": ", ".join(allowed_methods(request))}
    return problem(exc.status_code, detail, instance=request.url.path, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path (Starlette's 405 names only one route's),
    read from the OpenAPI schema's paths."""
    path = request.scope["path"]
    for template, operations in request.app.openapi()["paths"].items():
        if compile_path(template)[0].fullmatch(path):
            return sorted(method.upper() for method in operations if method in METHODS)
    return []


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


def install(app: FastAPI, everywhere: Mapping[int, str] | None = None) -> None:
    """Answer every error as a problem, and document it so in the OpenAPI schema.

    `everywhere`: statuses any operation may answer (e.g. 429 from a rate limit), with why.
    """
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unhandled_error)
    app.openapi = documented(app.openapi, dict(everywhere or {}))  # type: ignore[method-assign]


def documented(
    openapi: Callable[[], dict[str, Any]], everywhere: Mapping[int, str]
) -> Callable[[], dict[str, Any]]:
    """FastAPI's schema with every error response a `Problem` under problem+json, and the
    errors no route declares itself (400, 413, 422 and `everywhere`) declared where they apply."""
    schema: dict[str, Any] | None = None

    def with_problems() -> dict[str, Any]:
        nonlocal schema
        if schema is None:
            schema = openapi()
            _document_problems(schema, {str(code): why for code, why in everywhere.items()})
        return schema

    return with_problems


def _document_problems(schema: dict[str, Any], everywhere: dict[str, str]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Problem"] = Problem.model_json_schema()
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            extra = dict(everywhere)
            if "requestBody" in operation:
                extra |= WITH_BODY
            if "requestBody" in operation or operation.get("parameters"):
                extra |= WITH_INPUT
            for code, why in extra.items():
                responses.setdefault(code, {"description": why})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = content
