"""Real service processes sharing a Redis: what one publishes, the other's clients get."""

import asyncio
import json
import signal
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .served_websocket import WAIT, websocket
from support.relay import Relay
from support.service import Service

pytestmark = pytest.mark.process


async def subscribe(ws: ClientConnection, channel: str) -> None:
    await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    assert json.loads(await ws.recv()) == {"type": "subscribed", "channel": channel}


async def publish_over_http(service: Service, channel: str, payload: Any) -> None:
    async with service.client() as client:
        response = await client.post(f"/channels/{channel}/messages", json={"payload": payload})
    assert response.status_code == 202, response.text


async def next_event(ws: ClientConnection) -> Any:
    async with asyncio.timeout(WAIT):
        return json.loads(await ws.recv())


async def next_payload(ws: ClientConnection) -> Any:
    event = await next_event(ws)
    assert event["type"] == "message", event
    return event["payload"]


@pytest.fixture
def on_redis(redis_url: str, services: Callable[..., Service]) -> Callable[..., Service]:
    """Starts service processes sharing a Redis (`redis_url` by default) and a prefix."""
    prefix = f"test-{uuid4().hex}:"

    def start(url: str = redis_url, **settings: str) -> Service:
{% if cookiecutter.rate_limit %}
        # The limiter shares Redis; what it does when Redis fails is tested with the limiter.
        settings.setdefault("RATE_LIMIT_EXEMPT_PATHS", '["/health", "/channels"]')
{% endif %}
        return services(REDIS_URL=url, REALTIME_REDIS_PREFIX=prefix, **settings)

    return start


async def test_client_on_a_receives_what_b_published(on_redis: Callable[..., Service]) -> None:
    a, b = on_redis(), on_redis()
    for service in (a, b):
        await service.started()
        await service.until_ready()
    async with websocket(a) as on_a, websocket(b) as on_b:
        await subscribe(on_a, "room")
        await subscribe(on_b, "room")
        await on_b.send(json.dumps({"type": "publish", "channel": "room", "payload": "from b"}))
        assert await next_payload(on_a) == "from b"
        assert await next_payload(on_b) == "from b"
        await publish_over_http(a, "room", "from a over http")
        assert await next_payload(on_b) == "from a over http"
        assert await next_payload(on_a) == "from a over http"

        # SIGTERM: the server closes the socket itself and exits cleanly.
        await a.terminate()
        with pytest.raises(ConnectionClosed) as closed:
            await on_a.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code in {1001, 1012}
    log = a.output()
    assert a.process.returncode in {0, -signal.SIGTERM}  # uvicorn re-raises the signal
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
    assert "Task was destroyed" not in log


async def test_redis_outage_keeps_local_delivery_and_recovers(
    redis_url: str, on_redis: Callable[..., Service]
) -> None:
    target = urlsplit(redis_url)
    async with Relay(target.hostname or "127.0.0.1", target.port or 6379) as redis:
        a, b = on_redis(redis.url(redis_url)), on_redis(redis.url(redis_url))
        for service in (a, b):
            await service.started()
            await service.until_ready()
        async with websocket(a) as on_a, websocket(a) as also_on_a, websocket(b) as on_b:
            for ws in (on_a, also_on_a, on_b):
                await subscribe(ws, "room")

            await redis.cut()
            await a.until_failing("realtime.redis")
            await also_on_a.send(
                json.dumps({"type": "publish", "channel": "room", "payload": "local"})
            )
            assert await next_payload(on_a) == "local"
            assert await next_payload(also_on_a) == "local"

            await redis.restore()
            await a.until_ready()
            await b.until_ready()
            await publish_over_http(b, "room", "across again")
            assert await next_payload(on_a) == "across again"
            # b missed "local" (pub/sub keeps nothing): its next message is the new one.
            assert await next_payload(on_b) == "across again"


async def test_stalled_redis_does_not_stall_the_publishing_socket(
    redis_url: str, on_redis: Callable[..., Service]
) -> None:
    """Redis stops answering: publishes are queued for it without waiting, local
    subscribers get them, and once the queue is full publishing is refused at once."""
    target = urlsplit(redis_url)
    async with Relay(target.hostname or "127.0.0.1", target.port or 6379) as redis:
        # Redis gets 30 s to answer a command, and one message may wait for it.
        service = on_redis(
            redis.url(redis_url), REDIS_TIMEOUT="30", REALTIME_PUBLISH_QUEUE_SIZE="1"
        )
        await service.started()
        await service.until_ready()
        async with websocket(service) as publisher, websocket(service) as subscriber:
            await subscribe(subscriber, "room")
            redis.freeze()
            for number in (1, 2):  # one in flight, one waiting
                start = time.monotonic()
                await publisher.send(
                    json.dumps({"type": "publish", "channel": "room", "payload": number})
                )
                await publisher.send(json.dumps({"type": "ping"}))
                assert await next_event(publisher) == {"type": "pong"}
                assert time.monotonic() - start < 1.0  # not Redis's 30 s
                assert await next_payload(subscriber) == number

            await publisher.send(json.dumps({"type": "publish", "channel": "room", "payload": 3}))
            refusal = await next_event(publisher)
            assert (refusal["type"], refusal["code"]) == ("error", "unavailable")
            async with service.client() as client:
                response = await client.post("/channels/room/messages", json={"payload": 4})
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "30"
            assert "realtime.redis" in await service.failing_checks()  # its ping times out
            redis.thaw()
