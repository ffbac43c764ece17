"""Subscribers, one per live WebSocket: a bounded send queue and one sender task each; the
hub knows who listens where.

Publishing never waits for a client: `Hub.deliver` only appends the shared frame to each
subscriber's queue. A client that falls `send_queue_size` frames behind is closed (1013)
rather than buffered without bound, so one slow reader costs at most its queue, plus what
the server and the kernel buffer on its socket. That last part is only freed once the
connection ends, and a client that stopped reading never takes its close frame: under
`python -m` the kernel drops a connection that accepts no data for `close_timeout`
seconds (see `__main__.py`).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from starlette import status
from starlette.websockets import WebSocket, WebSocketDisconnect

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_size: int = 65_536
    send_queue_size: int = 256
    max_channels: int = 100
    idle_timeout: float | None = 120.0
    max_invalid_messages: int = 5
    close_timeout: float = 5.0
    """How long sending a close frame may wait on a client that does not read."""


Handler = Callable[[str], Awaitable[None]]


class Subscriber:
    """One client's accepted WebSocket as the hub sees it: frames go out through its queue,
    in order, from one task; `serve` passes what the client sends to a handler."""

    def __init__(self, websocket: WebSocket, limits: Limits) -> None:
        self.websocket = websocket
        self.limits = limits
        self.channels: set[str] = set()
        self._frames: asyncio.Queue[str] = asyncio.Queue(limits.send_queue_size)
        self._close: tuple[int, str] | None = None
        self._closing = asyncio.Event()
        self._peer_gone = False
        self.finished = asyncio.Event()

    def send(self, frame: str) -> None:
        """Queue a text frame; never waits. Overflow closes the connection (1013)."""
        if self._closing.is_set():
            return
        try:
            self._frames.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(status.WS_1013_TRY_AGAIN_LATER, "slow consumer: send queue full")

    def close(self, code: int = status.WS_1000_NORMAL_CLOSURE, reason: str = "") -> None:
        """Ask `serve` to stop and close with `code`; the first request wins."""
        if not self._closing.is_set():
            self._close = (code, reason)
            self._closing.set()

    async def serve(self, handle: Handler) -> None:
        """Pass each text frame to `handle` until either side closes; then clean up."""
        sender = asyncio.create_task(self._send_frames())
        receiver = asyncio.create_task(self._receive_frames(handle))
        try:
            await self._closing.wait()
        finally:
            sender.cancel()
            receiver.cancel()
            await asyncio.wait({sender, receiver})
            while not self._frames.empty():  # what the client will never get
                self._frames.get_nowait()
            try:
                await self._send_close()
            finally:
                self.finished.set()

    async def _send_close(self) -> None:
        if self._peer_gone or self._close is None:
            return
        code, reason = self._close
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, TimeoutError):
            async with asyncio.timeout(self.limits.close_timeout):
                await self.websocket.close(code, reason)

    async def _send_frames(self) -> None:
        try:
            while True:
                frame = await self._frames.get()
                await self.websocket.send({"type": "websocket.send", "text": frame})
        except WebSocketDisconnect:
            self._peer_gone = True
            self.close()
        except Exception:
            logger.exception("realtime: sending failed")
            self.close(status.WS_1011_INTERNAL_ERROR, "internal error")

    async def _receive_frames(self, handle: Handler) -> None:
        limits = self.limits
        try:
            while True:
                try:
                    async with asyncio.timeout(limits.idle_timeout):
                        message = await self.websocket.receive()
                except TimeoutError:
                    self.close(status.WS_1001_GOING_AWAY, "idle timeout")
                    return
                if message["type"] == "websocket.disconnect":
                    self._peer_gone = True
                    self.close(message.get("code", status.WS_1000_NORMAL_CLOSURE))
                    return
                text = message.get("text")
                if text is None:
                    self.close(status.WS_1003_UNSUPPORTED_DATA, "binary frames are not supported")
                    return
                if len(text) > limits.max_message_size or (
                    len(text.encode()) > limits.max_message_size
                ):
                    too_big = f"message over {limits.max_message_size} bytes"
                    self.close(status.WS_1009_MESSAGE_TOO_BIG, too_big)
                    return
                await handle(text)
        except Exception:
            logger.exception("realtime: handling a message failed")
            self.close(status.WS_1011_INTERNAL_ERROR, "internal error")


class Hub:
    """This process's subscribers and their channels; `deliver` fans a frame out."""

    def __init__(self) -> None:
        self.attached: set[Subscriber] = set()
        self._subscribers: dict[str, set[Subscriber]] = {}
        self.closing = False

    def deliver(self, channel: str, frame: str) -> None:
        for subscriber in self._subscribers.get(channel, ()):
            subscriber.send(frame)

    def subscribers(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def subscribe(self, subscriber: Subscriber, channel: str) -> bool:
        """False when the subscriber is at its channel limit."""
        if channel not in subscriber.channels:
            if len(subscriber.channels) >= subscriber.limits.max_channels:
                return False
            subscriber.channels.add(channel)
            self._subscribers.setdefault(channel, set()).add(subscriber)
        return True

    def unsubscribe(self, subscriber: Subscriber, channel: str) -> None:
        subscriber.channels.discard(channel)
        subscribers = self._subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[channel]

    @contextlib.contextmanager
    def attach(self, subscriber: Subscriber) -> Iterator[None]:
        """Registers `subscriber` for its lifetime; leaves every channel afterwards."""
        self.attached.add(subscriber)
        try:
            yield
        finally:
            for channel in list(subscriber.channels):
                self.unsubscribe(subscriber, channel)
            self.attached.discard(subscriber)

    async def shutdown(self) -> None:
        """Close every subscriber's socket with 1001 and wait for each to finish closing."""
        self.closing = True
        subscribers = list(self.attached)
        for subscriber in subscribers:
            subscriber.close(status.WS_1001_GOING_AWAY, "server shutting down")
        for subscriber in subscribers:
            await subscriber.finished.wait()
