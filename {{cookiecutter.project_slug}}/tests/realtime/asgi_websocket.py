"""A WebSocket client that speaks ASGI to the app directly, in the test's event loop.

It shares the loop with the lifespan (so shutdown can be observed), bounds every wait,
and can stop reading like a stalled network peer: `send` from the app then blocks once
`window` frames are unread, as a full TCP buffer would.
"""

import asyncio
import json
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from starlette.types import ASGIApp, Message

from support.callers import HEADERS

WAIT = 5.0
"""Seconds any single wait may take before the test fails instead of hanging."""


class ServerClosedError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"closed with {code}: {reason}")
        self.code = code
        self.reason = reason


class ASGIWebSocket:
    def __init__(
        self,
        app: ASGIApp,
        path: str = "/ws",
        *,
        headers: Sequence[tuple[str, str]] = tuple(HEADERS.items()),
        subprotocols: Sequence[str] = (),
        window: int | None = None,
    ) -> None:
        raw_path, _, query = path.partition("?")
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "ws",
            "server": ("test", 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            "subprotocols": list(subprotocols),
        }
        self.app = app
        self.window = window
        self.subprotocol: str | None = None
        self.sent: list[Message] = []
        """Every message the app sent, including the ones not read yet."""
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._arrived = asyncio.Condition()
        self._read = 0
        self._reading = asyncio.Event()
        self._reading.set()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        await self._to_app.put({"type": "websocket.connect"})
        message = await self._next()
        if message["type"] == "websocket.close":
            await self.ended()
            raise ServerClosedError(message.get("code", 1000), message.get("reason", ""))
        assert message["type"] == "websocket.accept", message
        self.subprotocol = message.get("subprotocol")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.resume()
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        await self.ended()

    async def _run(self) -> None:
        await self.app(self.scope, self._to_app.get, self._from_app)

    async def _from_app(self, message: Message) -> None:
        async with self._arrived:
            self.sent.append(message)
            self._arrived.notify_all()
        if self.window is not None and len(self.sent) - self._read >= self.window:
            self._reading.clear()
            await self._reading.wait()

    def resume(self) -> None:
        """Start reading again, like a peer whose network recovered."""
        self.window = None
        self._reading.set()

    async def _next(self) -> Message:
        async with asyncio.timeout(WAIT), self._arrived:
            await self._arrived.wait_for(lambda: len(self.sent) > self._read)
        message = self.sent[self._read]
        self._read += 1
        if self.window is None or len(self.sent) - self._read < self.window:
            self._reading.set()
        return message

    async def send_text(self, text: str) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self._to_app.put({"type": "websocket.receive", "bytes": data})

    async def send_json(self, data: Any) -> None:
        await self.send_text(json.dumps(data))

    async def receive_json(self) -> Any:
        message = await self._next()
        if message["type"] == "websocket.close":
            raise ServerClosedError(message.get("code", 1000), message.get("reason", ""))
        return json.loads(message["text"])

    async def closed(self) -> ServerClosedError:
        """The close the app sends next, skipping any frames before it."""
        while True:
            try:
                await self.receive_json()
            except ServerClosedError as closed:
                return closed

    async def ended(self) -> None:
        """Wait for the app to be done with this connection."""
        assert self._task is not None
        async with asyncio.timeout(WAIT):
            await self._task

    async def subscribe(self, channel: str) -> None:
        await self.send_json({"type": "subscribe", "channel": channel})
        assert await self.receive_json() == {"type": "subscribed", "channel": channel}
