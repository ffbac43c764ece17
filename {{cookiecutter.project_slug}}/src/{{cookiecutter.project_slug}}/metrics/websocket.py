"""WebSocket metrics, read off the ASGI messages: connections, frames, slow consumers.

The realtime module closes a client that falls too far behind with 1013 (`connections.py`);
that close is what `websocket_slow_consumers_dropped_total` counts.
"""

from prometheus_client import Counter, Gauge
from starlette.status import WS_1013_TRY_AGAIN_LATER
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONNECTIONS = Gauge(
    "websocket_connections",
    "WebSocket connections open now (accepted, not yet closed).",
    multiprocess_mode="livesum",
)
FRAMES = Counter(
    "websocket_frames_total", "WebSocket data frames, by direction (in, out).", ["direction"]
)
FRAMES_IN = FRAMES.labels("in")
FRAMES_OUT = FRAMES.labels("out")
DROPPED = Counter(
    "websocket_slow_consumers_dropped_total",
    "WebSocket clients closed (1013) because they fell too far behind.",
)


async def measure_websocket(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `app` on a WebSocket scope, counting what passes between it and the client."""
    accepted = False

    async def counting_receive() -> Message:
        message = await receive()
        if message["type"] == "websocket.receive":
            FRAMES_IN.inc()
        return message

    async def counting_send(message: Message) -> None:
        nonlocal accepted
        kind = message["type"]
        if kind == "websocket.send":
            FRAMES_OUT.inc()
        elif kind == "websocket.accept":
            accepted = True
            CONNECTIONS.inc()
        elif kind == "websocket.close" and message.get("code") == WS_1013_TRY_AGAIN_LATER:
            DROPPED.inc()
        await send(message)

    try:
        await app(scope, counting_receive, counting_send)
    finally:
        if accepted:
            CONNECTIONS.dec()
