"""Redis pub/sub between processes (each `RedisBackend` here stands for one process)."""

import asyncio
from collections.abc import Callable
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.realtime import open_broadcast
from {{ cookiecutter.project_slug }}.realtime.redis_broadcast import RedisBackend

from .asgi_websocket import ASGIWebSocket
from .tcp_proxy import TCPProxy, free_port


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait until `condition()` holds; fail the test instead of hanging."""
    async with asyncio.timeout(15):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


class Sockets:
    """Stands in for a process's hub: records what `deliver` was given."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, str]] = []

    def deliver(self, channel: str, frame: str) -> None:
        self.frames.append((channel, frame))


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid4().hex}:[*]?:"  # glob characters must match literally


async def test_each_process_gets_each_frame_once(redis_url: str, prefix: str) -> None:
    a, b = Sockets(), Sockets()
    async with (
        RedisBackend.open(redis_url, prefix, a.deliver) as process_a,
        RedisBackend.open(redis_url, prefix, b.deliver) as process_b,
        RedisBackend.open(redis_url, "other-" + prefix, Sockets().deliver) as unrelated,
    ):
        await process_a.wait_subscribed()
        await process_b.wait_subscribed()
        await unrelated.wait_subscribed()
        await unrelated.publish("c", "not for us")
        await process_a.publish("c", '{"n":1}')
        await process_b.publish("d", '{"n":2}')
        await eventually(lambda: len(a.frames) == 2 and len(b.frames) == 2)
        await process_a.check()
    # Each process delivers its own publishes first, so only the per-publisher order holds.
    assert sorted(a.frames) == sorted(b.frames) == [("c", '{"n":1}'), ("d", '{"n":2}')]


async def test_open_broadcast_outside_the_app_reaches_app_processes(
    redis_url: str, prefix: str
) -> None:
    settings = Settings(_env_file=None, redis_url=redis_url, realtime_redis_prefix=prefix)
    app = Sockets()
    async with (
        RedisBackend.open(redis_url, prefix, app.deliver) as app_process,
        open_broadcast(settings) as worker,
    ):
        await app_process.wait_subscribed()
        await worker.publish("jobs.1", {"status": "done"}, sender="worker")
        await eventually(lambda: len(app.frames) == 1)
    channel, frame = app.frames[0]
    assert channel == "jobs.1"
    assert frame.startswith('{"type":"message","channel":"jobs.1","payload":{"status":"done"}')


async def test_open_broadcast_without_redis_delivers_in_process() -> None:
    settings = Settings(_env_file=None, redis_url=None)
    local = Sockets()
    async with open_broadcast(settings, local.deliver) as broadcast:
        await broadcast.publish("a", 1)
    assert [channel for channel, _ in local.frames] == ["a"]
    async with open_broadcast(settings) as nowhere:
        await nowhere.publish("a", 1)  # reaches nobody, and says so in the log


async def test_outage_keeps_local_delivery_and_recovers(redis_url: str, prefix: str) -> None:
    a, b = Sockets(), Sockets()
    host, port = redis_url.split("//")[1].split("/")[0].split(":")
    async with (
        TCPProxy(host, int(port)) as redis,
        RedisBackend.open(redis.url(), prefix, a.deliver) as process_a,
        RedisBackend.open(redis_url, prefix, b.deliver) as process_b,
    ):
        await process_a.wait_subscribed()
        await process_b.wait_subscribed()

        await redis.cut()
        await eventually(lambda: not process_a.subscribed)
        with pytest.raises(ConnectionError):
            await process_a.check()
        await process_a.publish("c", "during")  # local delivery does not need Redis
        assert a.frames == [("c", "during")]

        await redis.restore()
        await process_a.wait_subscribed()
        await process_a.check()
        await process_b.publish("c", "after")
        await process_a.publish("c", "mine")
        await eventually(lambda: len(a.frames) == 3 and len(b.frames) == 2)
    assert sorted(a.frames) == [("c", "after"), ("c", "during"), ("c", "mine")]
    assert sorted(b.frames) == [("c", "after"), ("c", "mine")]


async def test_publish_only_backend_logs_when_redis_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    async with RedisBackend.open(url, "p:", None) as backend:
        await backend.publish("c", "lost")
    assert "'c' not sent to other processes" in caplog.text


async def test_app_with_redis_is_ready_once_subscribed(
    settings: Settings, redis_url: str, prefix: str
) -> None:
    settings = settings.model_copy(update={"redis_url": redis_url, "realtime_redis_prefix": prefix})
    async with (
        LifespanManager(create_app(settings)) as manager,
        AsyncClient(transport=ASGITransport(manager.app), base_url="http://test") as client,
        ASGIWebSocket(manager.app) as ws,
    ):
        state = ws.scope["state"]
        await state["broadcast"].backend.wait_subscribed()
        response = await client.get("/health/ready")
        assert "realtime.redis" not in response.json().get("checks", {})
        await ws.subscribe("a")
        await client.post("/channels/a/messages", json={"payload": 1})
        assert (await ws.receive_json())["payload"] == 1
