"""Idle clients, slow consumers and shutdown: connections end cleanly, memory stays bounded."""

from contextlib import AsyncExitStack

import pytest
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings

from .asgi_websocket import ASGIWebSocket, ServerClosedError


async def test_idle_connection_is_closed_with_1001(settings: Settings) -> None:
    settings = settings.model_copy(update={"realtime_idle_timeout": 0.05})
    async with (
        LifespanManager(create_app(settings)) as manager,
        ASGIWebSocket(manager.app) as client,
    ):
        await client.send_json({"type": "ping"})
        assert await client.receive_json() == {"type": "pong"}
        closed = await client.closed()
        assert (closed.code, closed.reason) == (1001, "idle timeout")


async def test_slow_consumer_is_dropped_others_get_everything(
    app: ASGIApp, settings: Settings
) -> None:
    queue_size = settings.realtime_send_queue_size
    async with (
        ASGIWebSocket(app) as publisher,
        ASGIWebSocket(app) as reader,
        ASGIWebSocket(app) as stalled,
    ):
        await reader.subscribe("feed")
        await stalled.subscribe("feed")
        hub = reader.scope["state"]["realtime"].hub
        stalled.window = 2  # its network buffer holds two frames, then it stops reading
        count = queue_size * 10
        for number in range(count):
            await publisher.send_json({"type": "publish", "channel": "feed", "payload": number})
            # the reader keeps up, so its queue never fills
            assert (await reader.receive_json())["payload"] == number
        # What reached the stalled client: accept, subscribed, its buffer's two, the close.
        assert len(stalled.sent) == 5
        closed = await stalled.closed()
        assert (closed.code, closed.reason) == (1013, "slow consumer: send queue full")
        await stalled.ended()
        assert hub.subscribers("feed") == 1
        assert len(hub.attached) == 2


async def test_shutdown_closes_every_socket_with_1001(settings: Settings) -> None:
    async with AsyncExitStack() as sockets:
        async with LifespanManager(create_app(settings)) as manager:
            one = await sockets.enter_async_context(ASGIWebSocket(manager.app))
            two = await sockets.enter_async_context(ASGIWebSocket(manager.app))
            await one.subscribe("a")
            hub = one.scope["state"]["realtime"].hub
        # The lifespan has ended while both sockets were open.
        for ws in (one, two):
            closed = await ws.closed()
            assert (closed.code, closed.reason) == (1001, "server shutting down")
        assert not hub.attached
        with pytest.raises(ServerClosedError) as late:  # the hub refuses newcomers once closing
            async with ASGIWebSocket(manager.app):
                pass
        assert late.value.code == 1001
