"""Redis pub/sub between processes (each `RedisBackend` here stands for one process)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.realtime import open_broadcast
from {{ cookiecutter.project_slug }}.realtime.redis_broadcast import RedisBackend

from .asgi_websocket import ASGIWebSocket
from support.callers import asgi_client
from support.relay import Relay


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
def on_redis(settings: Settings, redis_url: str) -> Callable[..., Settings]:
    """Settings of one process on the test's Redis (or `url`), with a prefix of the test's."""
    prefix = f"test-{uuid4().hex}:[*]?:"  # glob characters must match literally

    def make(url: str = redis_url, **changes: object) -> Settings:
        update = {"redis_url": url, "realtime_redis_prefix": prefix, **changes}
{% if cookiecutter.rate_limit %}
        # The limiter shares Redis; what it does when Redis fails is tested with the limiter.
        update.setdefault("rate_limit_exempt_paths", ["/health", "/channels"])
{% endif %}
        return settings.model_copy(update=update)

    return make


@pytest.fixture
async def redis_relay(redis_url: str) -> AsyncIterator[Relay]:
    target = urlsplit(redis_url)
    async with Relay(target.hostname or "127.0.0.1", target.port or 6379) as relay:
        yield relay


async def test_each_process_gets_each_frame_once(on_redis: Callable[..., Settings]) -> None:
    a, b = Sockets(), Sockets()
    other = on_redis(realtime_redis_prefix=f"other-{uuid4().hex}:")
    async with (
        RedisBackend.open(on_redis(), a.deliver) as process_a,
        RedisBackend.open(on_redis(), b.deliver) as process_b,
        RedisBackend.open(other, Sockets().deliver) as unrelated,
    ):
        await process_a.wait_subscribed()
        await process_b.wait_subscribed()
        await unrelated.wait_subscribed()
        assert await unrelated.publish("c", "not for us")
        assert await process_a.publish("c", '{"n":1}')
        assert await process_b.publish("d", '{"n":2}')
        await eventually(lambda: len(a.frames) == 2 and len(b.frames) == 2)
        await process_a.check()
    # Each process delivers its own publishes first, so only the per-publisher order holds.
    assert sorted(a.frames) == sorted(b.frames) == [("c", '{"n":1}'), ("d", '{"n":2}')]


async def test_open_broadcast_outside_the_app_reaches_app_processes(
    on_redis: Callable[..., Settings],
) -> None:
    app = Sockets()
    async with RedisBackend.open(on_redis(), app.deliver) as app_process:
        await app_process.wait_subscribed()
        async with open_broadcast(on_redis()) as worker:
            assert await worker.publish("jobs.1", {"status": "done"}, sender="worker")
        # The context sent what was published before it exited.
        await eventually(lambda: len(app.frames) == 1)
    channel, frame = app.frames[0]
    assert channel == "jobs.1"
    assert frame.startswith('{"type":"message","channel":"jobs.1","payload":{"status":"done"}')


async def test_open_broadcast_without_redis_delivers_in_process(settings: Settings) -> None:
    local = Sockets()
    async with open_broadcast(settings, local.deliver) as broadcast:
        assert await broadcast.publish("a", 1)
    assert [channel for channel, _ in local.frames] == ["a"]
    async with open_broadcast(settings) as nowhere:
        assert await nowhere.publish("a", 1)  # reaches nobody, and says so in the log


async def test_outage_keeps_local_delivery_and_recovers(
    on_redis: Callable[..., Settings], redis_relay: Relay, redis_url: str
) -> None:
    a, b = Sockets(), Sockets()
    async with (
        RedisBackend.open(on_redis(redis_relay.url(redis_url)), a.deliver) as process_a,
        RedisBackend.open(on_redis(), b.deliver) as process_b,
    ):
        await process_a.wait_subscribed()
        await process_b.wait_subscribed()

        await redis_relay.cut()
        await eventually(lambda: not process_a.subscribed)
        with pytest.raises(ConnectionError):
            await process_a.check()
        assert await process_a.publish("c", "during")  # local delivery does not need Redis
        assert a.frames == [("c", "during")]

        await redis_relay.restore()
        await process_a.wait_subscribed()
        await process_a.check()
        assert await process_b.publish("c", "after")
        assert await process_a.publish("c", "mine")
        await eventually(lambda: len(a.frames) == 3 and len(b.frames) == 2)
    assert sorted(a.frames) == [("c", "after"), ("c", "during"), ("c", "mine")]
    assert sorted(b.frames) == [("c", "after"), ("c", "mine")]


async def test_stalled_redis_never_makes_a_publisher_wait(
    on_redis: Callable[..., Settings], redis_relay: Relay, redis_url: str
) -> None:
    """Publishing hands off to a bounded outbox; a full one refuses, delivering nothing."""
    local, remote = Sockets(), Sockets()
    stalled = on_redis(redis_relay.url(redis_url), realtime_publish_queue_size=2, redis_timeout=30)
    async with (
        RedisBackend.open(stalled, local.deliver) as process,
        RedisBackend.open(on_redis(), remote.deliver) as other,
    ):
        await process.wait_subscribed()
        await other.wait_subscribed()
        redis_relay.freeze()
        async with asyncio.timeout(1):  # Redis answers nothing for 30 s
            assert await process.publish("c", "1")  # sent: Redis holds its answer
            await asyncio.sleep(0)  # the sender takes it
            assert await process.publish("c", "2")
            assert await process.publish("c", "3")
            assert not await process.publish("c", "refused")  # the outbox holds two
        assert local.frames == [("c", "1"), ("c", "2"), ("c", "3")]

        redis_relay.thaw()
        await eventually(lambda: len(remote.frames) == 3)
        assert await process.publish("c", "4")
        await eventually(lambda: len(remote.frames) == 4)
    assert [frame for _, frame in remote.frames] == ["1", "2", "3", "4"]


async def test_publish_only_backend_logs_an_outage_once_and_its_end(
    on_redis: Callable[..., Settings],
    redis_relay: Relay,
    redis_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = Sockets()
    async with (
        RedisBackend.open(on_redis(), app.deliver) as app_process,
        RedisBackend.open(on_redis(redis_relay.url(redis_url)), None) as worker,
    ):
        await app_process.wait_subscribed()
        await redis_relay.cut()
        for _ in range(3):
            assert await worker.publish("c", "lost")
            await eventually(lambda: "not sent to other processes" in caplog.text)
        await redis_relay.restore()
        assert await worker.publish("c", "sent")
        await eventually(lambda: "sending to other processes again" in caplog.text)
        await eventually(lambda: len(app.frames) == 1)
    assert caplog.text.count("not sent to other processes") == 1
    assert app.frames == [("c", "sent")]


async def test_redis_backend_needs_a_url(settings: Settings) -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        async with RedisBackend.open(settings, None):
            pass


async def test_app_with_redis_is_ready_once_subscribed(
    on_redis: Callable[..., Settings],
) -> None:
    async with (
        LifespanManager(create_app(on_redis())) as manager,
        asgi_client(manager.app) as client,
        ASGIWebSocket(manager.app) as ws,
    ):
        state = ws.scope["state"]
        await state["broadcast"].backend.wait_subscribed()
        response = await client.get("/health/ready")
        assert "realtime.redis" not in response.json().get("checks", {})
        await ws.subscribe("a")
        await client.post("/channels/a/messages", json={"payload": 1})
        assert (await ws.receive_json())["payload"] == 1


async def test_stalled_redis_refuses_publishes_it_cannot_queue(
    on_redis: Callable[..., Settings], redis_relay: Relay, redis_url: str
) -> None:
    """The publishing socket stays responsive; a refused publish is an error event over
    WebSocket and a 503 over HTTP, and reaches nobody."""
    settings = on_redis(redis_relay.url(redis_url), realtime_publish_queue_size=1, redis_timeout=30)
    async with (
        LifespanManager(create_app(settings)) as manager,
        asgi_client(manager.app) as client,
        ASGIWebSocket(manager.app) as publisher,
        ASGIWebSocket(manager.app) as subscriber,
    ):
        await publisher.scope["state"]["broadcast"].backend.wait_subscribed()
        await subscriber.subscribe("a")
        redis_relay.freeze()
        async with asyncio.timeout(2):  # Redis answers nothing for 30 s
            for number in (1, 2):  # one in flight, one waiting
                await publisher.send_json({"type": "publish", "channel": "a", "payload": number})
                assert (await subscriber.receive_json())["payload"] == number
            await publisher.send_json({"type": "publish", "channel": "a", "payload": 3})
            error = await publisher.receive_json()
            assert (error["type"], error["code"]) == ("error", "unavailable")
            response = await client.post("/channels/a/messages", json={"payload": 4})
            await publisher.send_json({"type": "ping"})
            assert await publisher.receive_json() == {"type": "pong"}
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "30"
        redis_relay.thaw()
        await subscriber.send_json({"type": "ping"})
        assert await subscriber.receive_json() == {"type": "pong"}  # neither 3 nor 4 came
