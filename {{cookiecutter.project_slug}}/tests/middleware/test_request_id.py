"""Request ids: adopted or generated, on responses, in logs, isolated per request."""

import asyncio
import io
import json
import logging
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from httpx import AsyncClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.middleware.request_id import (
    REQUEST_ID,
    JsonFormatter,
    RequestIdFilter,
    RequestIdMiddleware,
    json_logging,
)
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import asgi_client

ACCESS = "{{ cookiecutter.project_slug }}.access"
GENERATED = re.compile(r"[0-9a-f]{32}")
probe_logger = logging.getLogger("{{ cookiecutter.project_slug }}.probe")
router = APIRouter()


@router.get("/work/{n}")
async def work(n: int) -> dict[str, int]:
    for step in range(3):
        probe_logger.warning("step %d", step, extra={"n": n})
        await asyncio.sleep(0)  # let the other requests interleave
    return {"n": n}


@router.get("/stream")
async def stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"one ", b"two ", b"three"):
            await asyncio.sleep(0)
            yield chunk

    return StreamingResponse(chunks(), media_type="text/plain")


{% if cookiecutter.rate_limit %}
@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Room for the 200 concurrent requests below under the rate limit.
    return settings.model_copy(update={"rate_limit_requests": 1000})


{% endif %}
@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    enabled = [*modules(settings), Module(name="probe", routers=[router])]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=ACCESS)
    return caplog


def lines(caplog: pytest.LogCaptureFixture, logger: str = ACCESS) -> list[dict[str, Any]]:
    """The attributes of each record `logger` emitted, extras included."""
    return [vars(record) for record in caplog.records if record.name == logger]


async def test_generates_an_id_and_server_timing(client: AsyncClient) -> None:
    response = await client.get("/health/live")
    assert GENERATED.fullmatch(response.headers["x-request-id"])
    assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["server-timing"])
    other = await client.get("/health/live")
    assert other.headers["x-request-id"] != response.headers["x-request-id"]


@pytest.mark.parametrize("sent", ["0b1f5c2e-7d3a-4c55-9a70-2c4c6d0e9f11", "svc:42", "A.b_c-d"])
async def test_keeps_a_sane_inbound_id(client: AsyncClient, sent: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "has space", "x" * 129, 'quote"d', "semi;colon", "tab\there", "caf\u00e9".encode()],
)
async def test_replaces_a_bad_inbound_id(client: AsyncClient, sent: str | bytes) -> None:
    raw = sent if isinstance(sent, bytes) else sent.encode()
    response = await client.get("/health/live", headers=[(b"X-Request-ID", raw)])
    assert GENERATED.fullmatch(response.headers["x-request-id"])


async def test_one_access_line_per_request(
    client: AsyncClient, access_log: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/work/7?verbose=1", headers={"X-Request-ID": "access-1"})
    [record] = [r for r in access_log.records if r.name == ACCESS]
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /work/7 200"
    assert line["level"] == "INFO"
    assert line["logger"] == ACCESS
    assert {k: line[k] for k in ("method", "path", "status", "client", "request_id")} == {
        "method": "GET",
        "path": "/work/7",
        "status": 200,
        "client": "127.0.0.1",
        "request_id": response.headers["x-request-id"],
    }
    assert line["duration_ms"] >= 0


async def test_error_responses_from_inner_layers_are_logged(
    client: AsyncClient, access_log: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    [line] = lines(access_log)
    assert line["status"] == 404
    assert line["request_id"] == response.headers["x-request-id"]


async def test_unhandled_error_is_500_problem_with_the_request_id(
    settings: Settings, crashing: Module, access_log: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, enabled=[*modules(settings), crashing])
    async with asgi_client(app) as client:
        response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json()["request_id"] == "boom-1"
    assert "secret" not in response.text
    [access] = lines(access_log)
    assert (access["status"], access["request_id"]) == (500, "boom-1")
    [error] = [vars(r) for r in access_log.records if r.levelno == logging.ERROR]
    assert error["request_id"] == "boom-1"
    assert error["exc_info"] is not None


async def test_streaming_response_is_logged_once_complete(
    client: AsyncClient, access_log: pytest.LogCaptureFixture
) -> None:
    async with client.stream("GET", "/stream", headers={"X-Request-ID": "stream-1"}) as response:
        assert response.headers["x-request-id"] == "stream-1"
        assert "server-timing" in response.headers
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert body == b"one two three"
    [line] = lines(access_log)
    assert (line["status"], line["request_id"]) == (200, "stream-1")


async def test_concurrent_requests_see_only_their_own_id(
    client: AsyncClient, access_log: pytest.LogCaptureFixture
) -> None:
    access_log.handler.addFilter(RequestIdFilter())

    async def call(n: int) -> None:
        response = await client.get(f"/work/{n}", headers={"X-Request-ID": f"req-{n}"})
        assert response.headers["x-request-id"] == f"req-{n}"

    await asyncio.gather(*(call(n) for n in range(200)))
    steps = lines(access_log, probe_logger.name)
    assert len(steps) == 600
    assert all(step["request_id"] == f"req-{step['n']}" for step in steps)
    access = lines(access_log)
    assert sorted(line["request_id"] for line in access) == sorted(f"req-{n}" for n in range(200))
    assert all(line["path"] == f"/work/{line['request_id'][4:]}" for line in access)
    assert REQUEST_ID.get() is None


async def test_access_log_can_be_switched_off(
    settings: Settings, access_log: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings.model_copy(update={"access_log": False}))
    async with asgi_client(app) as client:
        response = await client.get("/health/live")
    assert "x-request-id" in response.headers
    assert lines(access_log) == []


async def websocket_session(
    app: ASGIApp, headers: list[tuple[bytes, bytes]], client_messages: list[Message]
) -> list[Message]:
    """Drive `app` through RequestIdMiddleware as a server would; return what it sent."""
    incoming = iter([{"type": "websocket.connect"}, *client_messages])
    sent: list[Message] = []

    async def receive() -> Message:
        return next(incoming)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": headers, "client": ("10.0.0.1", 5)}
    await RequestIdMiddleware(app)(scope, receive, send)
    return sent


async def echo_once(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["state"]["request_id"] == REQUEST_ID.get()
    await receive()
    await send({"type": "websocket.accept"})
    message = await receive()
    if message["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": message["text"]})
        await send({"type": "websocket.close", "code": 1000})


async def test_websocket_gets_an_id_and_connect_close_lines(
    access_log: pytest.LogCaptureFixture,
) -> None:
    sent = await websocket_session(
        echo_once, [(b"x-request-id", b"ws-1")], [{"type": "websocket.receive", "text": "hi"}]
    )
    assert sent[0] == {"type": "websocket.accept", "headers": [(b"x-request-id", b"ws-1")]}
    connect, close = lines(access_log)
    assert (connect["event"], connect["path"], connect["request_id"]) == ("connect", "/ws", "ws-1")
    assert (close["event"], close["close_code"], close["client"]) == ("close", 1000, "10.0.0.1")


async def test_websocket_client_disconnect_is_logged(access_log: pytest.LogCaptureFixture) -> None:
    sent = await websocket_session(echo_once, [], [{"type": "websocket.disconnect", "code": 1001}])
    [(name, value)] = sent[0]["headers"]
    assert name == b"x-request-id"
    assert GENERATED.fullmatch(value.decode())
    connect, close = lines(access_log)
    assert close["close_code"] == 1001
    assert close["request_id"] == connect["request_id"] == value.decode()


async def test_json_logging_writes_lines_with_the_request_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    async with json_logging():
        token = REQUEST_ID.set("log-1")
        try:
            logging.getLogger("{{ cookiecutter.project_slug }}.probe").warning("inside")
        finally:
            REQUEST_ID.reset(token)
        logging.getLogger(ACCESS).info("outside")
    assert logging.getLogger().handlers == []
    inside, outside = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert (inside["message"], inside["request_id"]) == ("inside", "log-1")
    assert (outside["message"], outside["request_id"]) == ("outside", None)


async def test_json_logging_writes_the_access_line_after_the_requests_own(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The access line skips `logging` (see `JsonLinesHandler`) and reads the same."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    app = create_app(settings, enabled=[*modules(settings), Module(name="probe", routers=[router])])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        response = await client.get("/work/3", headers={"X-Request-ID": "direct-1"})
    written = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    *steps, line = [line for line in written if line["logger"] in (probe_logger.name, ACCESS)]
    assert [(step["message"], step["n"], step["request_id"]) for step in steps] == [
        ("step 0", 3, "direct-1"),
        ("step 1", 3, "direct-1"),
        ("step 2", 3, "direct-1"),
    ]
    assert response.headers["x-request-id"] == "direct-1"
    assert line.pop("duration_ms") >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line.pop("time"))
    assert line == {
        "level": "INFO",
        "logger": ACCESS,
        "message": "GET /work/3 200",
        "method": "GET",
        "path": "/work/3",
        "status": 200,
        "client": "127.0.0.1",
        "request_id": "direct-1",
{% if cookiecutter.tracing %}
        "trace_id": None,  # no endpoint, no trace (tests/tracing has one)
        "span_id": None,
{% endif %}
    }


async def test_a_failing_stream_does_not_fail_the_request(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("pipe closed")

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(sys, "stderr", Broken())
    monkeypatch.setattr(logging, "raiseExceptions", False)
    async with (
        LifespanManager(create_app(settings)) as manager,
        asgi_client(manager.app) as client,
    ):
        response = await client.get("/health/live")
    assert response.status_code == 200


async def test_json_logging_leaves_configured_logging_alone() -> None:
    handlers = list(logging.getLogger().handlers)
    assert handlers  # pytest's own capture handlers
    async with json_logging():
        assert logging.getLogger().handlers == handlers


def test_json_formatter_includes_the_exception() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.makeLogRecord({"msg": "failed", "levelname": "ERROR", "exc_info": exc_info})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed"
    assert "ValueError: bad" in line["exception"]


def test_json_formatter_writes_what_json_lacks_as_text() -> None:
    """Dates and other objects as text; bytes that are not UTF-8 too, never an error."""
    extras = {"raw": b"\xff", "when": datetime(2026, 1, 2, tzinfo=UTC), "error": KeyError("k")}
    record = logging.makeLogRecord({"msg": "caf\u00e9", "created": 1767312000.25, **extras})
    text = JsonFormatter().format(record)
    line = json.loads(text)
    assert text.isascii()  # whatever the stream's encoding
    assert (line["time"], line["message"]) == ("2026-01-02T00:00:00.250Z", "caf\u00e9")
    assert (line["raw"], line["error"]) == ("b'\\xff'", "'k'")
    assert line["when"].startswith("2026-01-02")


async def test_headers_given_as_a_tuple_are_extended() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": ()})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - the app never reads
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await RequestIdMiddleware(app, access_log=False)(scope, receive, send)
    assert [name for name, _ in sent[0]["headers"]] == [b"x-request-id", b"server-timing"]
