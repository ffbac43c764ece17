"""WebSocket traffic in `/metrics`: open connections, frames each way, slow consumers."""

from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.modules import Settings

from .asgi_websocket import ASGIWebSocket
from support.metrics import value


async def frames(client: AsyncClient) -> tuple[float, float]:
    return (
        await value(client, "websocket_frames_total", direction="in"),
        await value(client, "websocket_frames_total", direction="out"),
    )


async def test_connections_and_frames_are_counted(app: ASGIApp, client: AsyncClient) -> None:
    open_before = await value(client, "websocket_connections")
    in_before, out_before = await frames(client)
    async with ASGIWebSocket(app) as one:
        async with ASGIWebSocket(app) as two:
            assert await value(client, "websocket_connections") == open_before + 2
            for socket in (one, two):
                await socket.send_json({"type": "ping"})
                assert await socket.receive_json() == {"type": "pong"}
            assert await frames(client) == (in_before + 2, out_before + 2)
        await two.ended()
        assert await value(client, "websocket_connections") == open_before + 1
    await one.ended()
    assert await value(client, "websocket_connections") == open_before


async def test_a_dropped_slow_consumer_is_counted(
    app: ASGIApp, client: AsyncClient, settings: Settings
) -> None:
    dropped = await value(client, "websocket_slow_consumers_dropped_total")
    async with ASGIWebSocket(app) as publisher, ASGIWebSocket(app) as stalled:
        await stalled.subscribe("feed")
        stalled.window = 1  # it stops reading
        for number in range(settings.realtime_send_queue_size * 2):
            await publisher.send_json({"type": "publish", "channel": "feed", "payload": number})
        closed = await stalled.closed()
        assert closed.code == 1013
    assert await value(client, "websocket_slow_consumers_dropped_total") == dropped + 1
