"""Request ids, a JSON access log and `Server-Timing`, for HTTP and WebSocket scopes.

Every request gets an id: the inbound `X-Request-ID` when it is a sane token, a new random
one otherwise. The id goes on the response, into `REQUEST_ID` (a contextvar that
`RequestIdFilter` copies into every log record of the request), and into `scope["state"]`,
where code running outside this middleware, like the 500 handler, reads it as
`request.state.request_id`.
"""

import json
import logging
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

from pydantic import Field
from pydantic_core import PydanticSerializationError, to_json
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..module import Module, Resources
from ..settings import BaseServiceSettings
{% if cookiecutter.tracing %}
from ..tracing import trace_ids
{% endif %}

HEADER = b"x-request-id"
SANE_ID = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
"""Accepted inbound ids: bounded, and nothing that could forge a log line or a header."""

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
access_logger = logging.getLogger("{{ cookiecutter.project_slug }}.access")
server_access_logger = logging.getLogger("uvicorn.access")


class RequestIdMiddleware:
    """Pure ASGI; outermost, so its timing and log line cover everything inside it."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _adopt(scope)
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before responding

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                app_ms = (time.perf_counter() - start) * 1000
                message["headers"] = [
                    *message.get("headers", ()),
                    (HEADER, request_id.encode()),
                    (b"server-timing", b"app;dur=%.1f" % app_ms),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log:
                _log(scope, start, request_id, scope["method"], status, status=status)
            REQUEST_ID.reset(token)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _adopt(scope)
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        close_code: int | None = None

        async def receive_close() -> Message:
            nonlocal close_code
            message = await receive()
            if message["type"] == "websocket.disconnect":
                close_code = message.get("code", 1005)
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal close_code
            if message["type"] == "websocket.accept":
                message["headers"] = [*message.get("headers", ()), (HEADER, request_id.encode())]
                if self.access_log:
                    _log(scope, start, request_id, "WEBSOCKET", "connect", event="connect")
            elif message["type"] == "websocket.close":
                close_code = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive_close, send_with_id)
        finally:
            if self.access_log:
                closed = {"event": "close", "close_code": close_code}
                _log(scope, start, request_id, "WEBSOCKET", "close", **closed)
            REQUEST_ID.reset(token)


def _adopt(scope: Scope) -> str:
    """The request's id, recorded in `scope["state"]`."""
    for name, value in scope["headers"]:
        if name == HEADER and SANE_ID.fullmatch(value):
            request_id = str(value, "ascii")
            break
    else:
        request_id = os.urandom(16).hex()
    # A copy: some servers and test harnesses share one state dict across requests.
    scope["state"] = {**scope.get("state", {}), "request_id": request_id}
    return request_id


def _log(
    scope: Scope, start: float, request_id: str, method: str, outcome: object, **fields: Any
) -> None:
    """The access line: `<method> <path> <outcome>`, and every field as a record attribute."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    path = scope["path"]
    extra = {
        "method": method,
        "path": path,
        **fields,
        "duration_ms": round((time.perf_counter() - start) * 1000, 3),
        "client": client[0] if client else None,
        "request_id": request_id,
    }
    message = f"{method} {path} {outcome}"
    direct = _direct_handler()
    if direct is not None:
{% if cookiecutter.tracing %}
        extra |= trace_ids()  # what the tracing module's record factory adds to records
{% endif %}
        direct.write_access(message, extra)
    else:
        access_logger.info(message, extra=extra)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (None outside a request) to every record passing through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _encode(fields: dict[str, Any]) -> str:
    """JSON, ASCII only; values JSON lacks (dates, exceptions) as their text.

    pydantic-core's encoder takes a fifth of the time of the standard library's, whose
    encoder object is rebuilt on every call.
    """
    try:
        return to_json(fields, fallback=str, ensure_ascii=True).decode()
    except PydanticSerializationError:  # bytes that are not UTF-8, say
        return json.dumps(fields, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        message = record.getMessage()
        return self.line(record.created, record.levelname, record.name, message, fields)

    def line(
        self, created: float, level: str, logger: str, message: str, fields: dict[str, Any]
    ) -> str:
        return _encode(
            {
                "time": self.timestamp(created),
                "level": level,
                "logger": logger,
                "message": message,
                **fields,
            }
        )

    def timestamp(self, created: float) -> str:
        """UTC ISO 8601 with milliseconds."""
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        return f"{seconds}.{int(created % 1 * 1000):03d}Z"


class JsonLinesHandler(logging.StreamHandler[TextIO]):
    """The handler `json_logging` installs, with a short way out for access lines.

    An access line through `logging` costs a `LogRecord`, a caller lookup and a scan of the
    record's attributes: most of what the request-id middleware adds to a request. While
    this handler is the only place access lines can go, `write_access` writes the same JSON
    object directly (what that gains: the bench's Middleware group, BENCHMARKS.md).
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.json = JsonFormatter()
        self.setFormatter(self.json)
        self.addFilter(RequestIdFilter())

    def write_access(self, message: str, fields: dict[str, Any]) -> None:
        line = self.json.line(time.time(), "INFO", access_logger.name, message, fields)
        self.acquire()
        try:
            self.stream.write(line + self.terminator)
            self.stream.flush()
        except Exception:
            self.handleError(logging.makeLogRecord({"name": access_logger.name, "msg": message}))
        finally:
            self.release()


def _direct_handler() -> JsonLinesHandler | None:
    """`json_logging`'s handler while it is the only place an access line can go."""
    handlers = logging.root.handlers
    only = handlers[0] if len(handlers) == 1 else None
    alone = access_logger.propagate and not (access_logger.handlers or access_logger.filters)
    return only if isinstance(only, JsonLinesHandler) and alone else None


@asynccontextmanager
async def json_logging() -> AsyncIterator[Resources]:
    """JSON log lines with request ids on stderr, unless logging is configured already.

    Like `logging.basicConfig`, this does nothing when the root logger has handlers: then
    access lines go through `logging` like any other record. Lines are written as they are
    logged, as uvicorn writes its own: one short write to a pipe. Either way uvicorn's own
    access line is off (see `server_access_log_off`).
    """
    with server_access_log_off():
        root = logging.getLogger()
        if root.handlers:
            yield Resources()
            return
        handler = JsonLinesHandler(sys.stderr)
        level = access_logger.level
        access_logger.setLevel(logging.INFO)
        root.addHandler(handler)
        try:
            yield Resources()
        finally:
            root.removeHandler(handler)
            access_logger.setLevel(level)


@contextmanager
def server_access_log_off() -> Iterator[None]:
    """No text access line from uvicorn while the app runs: the middleware writes the
    request's one line (or none, with `ACCESS_LOG=false`).

    `python -m` passes uvicorn `access_log=False`; `fastapi run` cannot. uvicorn writes
    the line only if its `uvicorn.access` logger has handlers when a connection opens,
    and the lifespan runs before the server accepts any.
    """
    handlers, propagate = server_access_logger.handlers, server_access_logger.propagate
    server_access_logger.handlers, server_access_logger.propagate = [], False
    try:
        yield
    finally:
        server_access_logger.handlers, server_access_logger.propagate = handlers, propagate


class RequestIdSettings(BaseServiceSettings):
    access_log: bool = Field(
        default=True,
        description="One JSON line per request on the `{{ cookiecutter.project_slug }}.access` logger.",
    )


def request_id_module(settings: RequestIdSettings) -> Module:
    """Ids and JSON logs for every request; register it first, so it wraps all other layers."""
    return Module(
        name="request_id",
        lifespan=lambda _app, _state: json_logging(),
        middleware=[Middleware(RequestIdMiddleware, access_log=settings.access_log)],
    )
