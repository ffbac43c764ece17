"""Rate limits: token buckets per client, in memory or shared through a real Redis."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import urlsplit

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from httpx import ASGITransport, AsyncClient, Response
from redis.asyncio import Redis
from starlette.types import Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.middleware.rate_limit import (
    MemoryBuckets,
    RateLimiter,
    RateLimitMiddleware,
    rate_limit_module,
)
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.relay import Relay, free_port

PROBLEM = "application/problem+json"
router = APIRouter()


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}


class Clock:
    """A clock the test moves by hand: no sleeping, no flakiness."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """3 requests, refilled at one per second."""
    return settings.model_copy(update={"rate_limit_requests": 3, "rate_limit_window": 3})


def limited_app(settings: Settings, clock: Clock) -> FastAPI:
    probe = Module(name="probe", routers=[router])
    return create_app(settings, enabled=[rate_limit_module(settings, clock=clock), probe])


@asynccontextmanager
async def serve(*apps: FastAPI) -> AsyncIterator[list[AsyncClient]]:
    """A client per app, each app with its lifespan running."""
    async with AsyncExitStack() as stack:
        clients = []
        for app in apps:
            manager = await stack.enter_async_context(LifespanManager(app))
            transport = ASGITransport(manager.app)
            client = AsyncClient(transport=transport, base_url="http://test")
            clients.append(await stack.enter_async_context(client))
        yield clients


async def test_429_then_recovery(settings: Settings, clock: Clock) -> None:
    async with serve(limited_app(settings, clock)) as [client]:
        allowed = [await client.get("/ping") for _ in range(3)]
        refused = await client.get("/ping")
        clock.now += 1
        one_more = await client.get("/ping")
        again_refused = await client.get("/ping")
        clock.now += 3
        recovered = await client.get("/ping")

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["ratelimit"] for r in allowed] == [
        '"default";r=2;t=1',
        '"default";r=1;t=2',
        '"default";r=0;t=3',
    ]
    assert allowed[0].headers["ratelimit-policy"] == '"default";q=3;w=3'
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["ratelimit"] == '"default";r=0;t=3'
    assert refused.headers["ratelimit-policy"] == '"default";q=3;w=3'
    assert refused.json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests; retry after 1 s.",
        "instance": "/ping",
    }
    assert (one_more.status_code, again_refused.status_code) == (200, 429)
    assert recovered.status_code == 200
    assert recovered.headers["ratelimit"] == '"default";r=2;t=1'


async def test_health_is_exempt(settings: Settings, clock: Clock) -> None:
    async with serve(limited_app(settings, clock)) as [client]:
        responses = [await client.get("/health/live") for _ in range(10)]
        ping = await client.get("/ping")
    assert {r.status_code for r in responses} == {200}
    assert all("ratelimit" not in r.headers for r in responses)
    assert ping.headers["ratelimit"] == '"default";r=2;t=1'


async def test_api_key_header_gives_each_key_its_bucket(settings: Settings, clock: Clock) -> None:
    keyed = settings.model_copy(update={"rate_limit_key_header": "X-API-Key"})
    async with serve(limited_app(keyed, clock)) as [client]:
        first = [await client.get("/ping", headers={"X-API-Key": "one"}) for _ in range(4)]
        second = await client.get("/ping", headers={"X-API-Key": "two"})
        by_ip = await client.get("/ping")
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert second.status_code == by_ip.status_code == 200


async def unused_app(scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover
    raise AssertionError


def test_client_key(clock: Clock) -> None:
    limiter = RateLimiter(3, 3.0, clock=clock)
    middleware = RateLimitMiddleware(unused_app, limiter=limiter, key_header="X-API-Key")
    assert middleware.client_key({"headers": [], "client": ("10.1.2.3", 1)}) == "ip:10.1.2.3"
    assert middleware.client_key({"headers": []}) == "ip:unknown"
    keyed = middleware.client_key({"headers": [(b"x-api-key", b"secret")]})
    assert keyed.startswith("key:")
    assert "secret" not in keyed


async def test_headers_given_as_a_tuple_are_extended(clock: Clock) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": ()})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - the app never reads
        return {"type": "http.disconnect"}

    middleware = RateLimitMiddleware(app, limiter=RateLimiter(3, 3.0, clock=clock))
    await middleware({"type": "http", "path": "/", "headers": []}, receive, send)
    assert [name for name, _ in sent[0]["headers"]] == [b"ratelimit-policy", b"ratelimit"]


def test_memory_buckets_forget_full_buckets() -> None:
    buckets = MemoryBuckets(capacity=2, rate=1.0)
    for n in range(100):
        buckets.take(f"client-{n}", now=0.0)
    assert len(buckets.buckets) == 100
    buckets.take("late", now=2.5)  # a full window later: the others refilled completely
    assert list(buckets.buckets) == ["late"]


def test_memory_buckets_ignore_a_clock_going_back() -> None:
    buckets = MemoryBuckets(capacity=2, rate=1.0)
    assert buckets.take("c", now=10.0) == (True, 1.0)
    assert buckets.take("c", now=5.0) == (True, 0.0)
    assert buckets.take("c", now=5.0) == (False, 0.0)


@pytest.fixture
async def redis_settings(settings: Settings, redis_url: str) -> AsyncIterator[Settings]:
    """Settings with the real Redis and a key prefix of this test's own."""
    prefix = f"test:{uuid.uuid4().hex}:"
    yield settings.model_copy(update={"redis_url": redis_url, "rate_limit_redis_prefix": prefix})
    async with Redis.from_url(redis_url) as redis:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)


async def test_redis_limit_is_shared_by_two_apps(redis_settings: Settings, clock: Clock) -> None:
    one, two = limited_app(redis_settings, clock), limited_app(redis_settings, clock)
    async with serve(one, two) as [first, second]:
        statuses = [(await client.get("/ping")).status_code for client in (first, second, first)]
        refused = [await first.get("/ping"), await second.get("/ping")]
        clock.now += 1
        after_a_second = [await second.get("/ping"), await first.get("/ping")]
        clock.now += 3
        recovered = await first.get("/ping")
    assert statuses == [200, 200, 200]
    assert [r.status_code for r in refused] == [429, 429]
    assert refused[1].headers["retry-after"] == "1"
    assert [r.status_code for r in after_a_second] == [200, 429]
    assert recovered.headers["ratelimit"] == '"default";r=2;t=1'


async def test_redis_keys_expire(redis_settings: Settings, clock: Clock) -> None:
    async with serve(limited_app(redis_settings, clock)) as [client]:
        await client.get("/ping")
    assert redis_settings.redis_url is not None
    async with Redis.from_url(redis_settings.redis_url) as redis:
        key = redis_settings.rate_limit_redis_prefix + "ip:127.0.0.1"
        assert 0 < await redis.pttl(key) <= 2000  # the time to refill, and a second
        assert await redis.hget(key, "tokens") == b"2"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each warning's message up to its details."""
    return [r.getMessage().split(":")[0] for r in caplog.records if r.levelno == logging.WARNING]


async def test_fails_open_to_per_process_limits_without_redis(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = limited_app(settings.model_copy(update={"redis_url": unreachable}), clock)
    async with serve(app) as [client]:
        statuses = [(await client.get("/ping")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert warnings(caplog) == ["rate limits are per process while Redis fails"]


async def test_recovers_when_redis_works_again(
    redis_settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    assert redis_settings.redis_url is not None
    key = redis_settings.rate_limit_redis_prefix + "ip:127.0.0.1"
    async with (
        Redis.from_url(redis_settings.redis_url) as redis,
        serve(limited_app(redis_settings, clock)) as [client],
    ):
        await redis.set(key, "not a bucket")  # every script call now fails
        failing = await client.get("/ping")
        await redis.delete(key)
        skipped = await client.get("/ping")  # within a second: Redis is not tried again
        assert await redis.exists(key) == 0
        clock.now += 1
        shared = await client.get("/ping")
        assert await redis.exists(key) == 1
    assert failing.status_code == skipped.status_code == shared.status_code == 200
    assert warnings(caplog) == [
        "rate limits are per process while Redis fails",
        "rate limits are shared through Redis again",
    ]


A, B = {"X-Client": "a"}, {"X-Client": "b"}
"""Two clients: `b` empties its bucket in Redis before the outage, so an answer for `b`
after it tells where it came from (Redis: what refilled since; its local bucket: 2 left)."""


@pytest.fixture
async def relay(redis_url: str) -> AsyncIterator[Relay]:
    """A network between the app and the real Redis, to cut or freeze."""
    parts = urlsplit(redis_url)
    async with Relay(parts.hostname or "127.0.0.1", parts.port or 6379) as relay:
        yield relay


@pytest.fixture
def relayed(redis_settings: Settings, relay: Relay) -> Settings:
    """The test's Redis through `relay`; per client, and a Redis command may take 1 s."""
    assert redis_settings.redis_url is not None
    parts = urlsplit(redis_settings.redis_url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{relay.port}" if user else f"127.0.0.1:{relay.port}"
    update = {
        "redis_url": parts._replace(netloc=netloc).geturl(),
        "redis_timeout": 1.0,
        "redis_connect_timeout": 1.0,
        "rate_limit_key_header": "X-Client",
    }
    return redis_settings.model_copy(update=update)


async def timed(request: Awaitable[Response]) -> tuple[int, float]:
    """The status of a response, and the seconds it took."""
    started = time.monotonic()
    response = await request
    return response.status_code, time.monotonic() - started


async def test_redis_refusing_connections_costs_no_wait(
    relayed: Settings, relay: Relay, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(limited_app(relayed, clock)) as [client]:
        for _ in range(3):
            await client.get("/ping", headers=B)
        await relay.cut()
        refused = [await timed(client.get("/ping", headers=A)) for _ in range(4)]
        await relay.restore()
        clock.now += 1
        back = await client.get("/ping", headers=B)
    assert [status for status, _ in refused] == [200, 200, 200, 429]  # a limit per process
    assert max(seconds for _, seconds in refused) < 1.0  # never a command timeout
    assert back.headers["ratelimit"] == '"default";r=0;t=3'  # from Redis: refilled for 1 s
    assert warnings(caplog) == [
        "rate limits are per process while Redis fails",
        "rate limits are shared through Redis again",
    ]


async def test_redis_that_stops_answering_costs_one_timeout(
    relayed: Settings, relay: Relay, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(limited_app(relayed, clock)) as [client]:
        for _ in range(3):
            await client.get("/ping", headers=B)
        relay.freeze()
        stalled = await timed(client.get("/ping", headers=A))
        local = [await timed(client.get("/ping", headers=A)) for _ in range(3)]
        clock.now += 1  # time to try Redis again; it is still silent
        tried, meanwhile = await asyncio.gather(
            timed(client.get("/ping", headers=A)), timed(client.get("/ping", headers=A))
        )
        relay.thaw()
        clock.now += 1
        back = await client.get("/ping", headers=B)
    assert stalled[0] == 200
    assert 1.0 <= stalled[1] < 3.0  # the command timeout, and not twice (no retry)
    assert [status for status, _ in local] == [200, 200, 429]
    assert max(seconds for _, seconds in local) < 1.0  # Redis is not asked meanwhile
    assert tried[1] >= 1.0 > meanwhile[1]  # one request tries it, the other does not wait
    assert back.headers["ratelimit"] == '"default";r=1;t=2'  # from Redis: refilled for 2 s
    assert warnings(caplog) == [
        "rate limits are per process while Redis fails",
        "rate limits are shared through Redis again",
    ]
