"""Token-bucket rate limiting per client, in this process or shared through Redis.

Each client (its IP address, or the value of an API-key header) has a bucket of `capacity`
tokens that refills completely over `window` seconds; a request takes one token or gets
429. Responses carry the `RateLimit-Policy` and `RateLimit` fields of the IETF draft
"RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-09), and a 429
also `Retry-After`.

With a Redis URL the buckets live in Redis and one Lua script updates each atomically, so
the limit holds across processes. If Redis fails, the limiter fails open to its in-process
buckets (a per-process limit instead of none) and logs it once; a second later one request
at a time tries Redis again. A limiter outage must not become an API outage: a request waits
for Redis at most one command timeout (`REDIS_TIMEOUT`), retries included.
"""

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from pydantic import Field
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..module import Module, Resources, State
from ..problems import problem
from ..settings import RedisSettings

logger = logging.getLogger(__name__)

REDIS_RETRY_AFTER = 1.0
"""Seconds to keep to the local buckets after Redis failed, before one request tries it."""

TAKE = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(bucket[1]) or capacity, tonumber(bucket[2]) or now
if now > at then
  tokens, at = math.min(capacity, tokens + (now - at) * rate), now
end
local allowed = 0
if tokens >= 1 then
  tokens, allowed = tokens - 1, 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""
"""Refill by elapsed time, take one token: atomic, as Redis runs a script at a time."""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    remaining: int
    reset: int
    """Seconds until the bucket is full again."""
    retry_after: int
    """Seconds until the next request can pass; 0 when this one did."""


class MemoryBuckets:
    """Buckets of this process; a bucket that refilled completely is dropped."""

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.full_after = capacity / rate
        self.buckets: dict[str, tuple[float, float]] = {}
        self.swept = 0.0

    def take(self, key: str, now: float) -> tuple[bool, float]:
        tokens, at = self.buckets.get(key, (self.capacity, now))
        if now > at:
            tokens, at = min(self.capacity, tokens + (now - at) * self.rate), now
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[key] = (tokens, at)
        if now - self.swept >= self.full_after:
            self.sweep(now)
        return allowed, tokens

    def sweep(self, now: float) -> None:
        """Forget full buckets: memory stays bounded by the clients of one window."""
        full = self.capacity - 1e-9
        self.buckets = {
            key: (tokens, at)
            for key, (tokens, at) in self.buckets.items()
            if tokens + (now - at) * self.rate < full
        }
        self.swept = now


class RateLimiter:
    """The buckets and the clock; Redis-backed while the lifespan runs with a Redis URL."""

    def __init__(
        self,
        capacity: int,
        window: float,
        *,
        redis: RedisSettings | None = None,
        prefix: str = "rate-limit:",
        clock: Callable[[], float],
    ) -> None:
        self.capacity = capacity
        self.window = window
        self.rate = capacity / window
        self.redis_settings = redis
        self.timeout = redis.redis_timeout if redis else 0.0
        self.prefix = prefix
        self.clock = clock
        self.memory = MemoryBuckets(capacity, self.rate)
        self.redis: Redis | None = None
        self.skip_redis_until = 0.0
        self.redis_failing = False
        self.trying_redis = False

    @asynccontextmanager
    async def lifespan(self, app: FastAPI, state: State) -> AsyncIterator[Resources]:
        """Open the Redis client (when configured) for the app's lifetime."""
        settings = self.redis_settings
        if settings is None or settings.redis_url is None:
            yield Resources()
            return
        self.redis = Redis.from_url(settings.redis_url, **settings.redis_options())
        self.take_script = self.redis.register_script(TAKE)
        try:
            yield Resources()
        finally:
            redis, self.redis = self.redis, None
            await redis.aclose()

    async def take(self, key: str) -> Decision:
        now = self.clock()
        allowed, tokens = await self._take(key, now)
        return Decision(
            allowed=allowed,
            remaining=int(tokens),
            reset=math.ceil((self.capacity - tokens) / self.rate),
            retry_after=0 if allowed else math.ceil((1 - tokens) / self.rate),
        )

    async def _take(self, key: str, now: float) -> tuple[bool, float]:
        if self.redis is None or self.trying_redis or now < self.skip_redis_until:
            return self.memory.take(key, now)
        self.trying_redis = self.redis_failing  # while it fails, one request at a time tries
        try:
            # One command's timeout, retries included: the local bucket is always at hand.
            async with asyncio.timeout(self.timeout):
                allowed, tokens = await self.take_script(
                    keys=[self.prefix + key], args=[self.capacity, self.rate, now]
                )
        except (RedisError, TimeoutError) as error:
            self.skip_redis_until = self.clock() + REDIS_RETRY_AFTER
            if not self.redis_failing:
                self.redis_failing = True
                logger.warning("rate limits are per process while Redis fails: %r", error)
            return self.memory.take(key, now)
        finally:
            self.trying_redis = False
        if self.redis_failing:
            self.redis_failing = False
            logger.warning("rate limits are shared through Redis again")
        return allowed == 1, float(tokens)


class RateLimitMiddleware:
    """Pure ASGI: 429 problem+json before the app runs; limit headers on every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        key_header: str | None = None,
        exempt_paths: Sequence[str] = ("/health",),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.key_header = key_header.lower().encode() if key_header else None
        self.exempt = frozenset(exempt_paths)
        self.exempt_prefixes = tuple(path.rstrip("/") + "/" for path in exempt_paths)
        self.policy = f'"default";q={limiter.capacity};w={math.ceil(limiter.window)}'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        if path in self.exempt or path.startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.take(self.client_key(scope))
        limit = f'"default";r={decision.remaining};t={decision.reset}'
        if not decision.allowed:
            response = problem(
                429,
                f"Too many requests; retry after {decision.retry_after} s.",
                instance=scope["path"],
                headers={
                    "Retry-After": str(decision.retry_after),
                    "RateLimit-Policy": self.policy,
                    "RateLimit": limit,
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_limit(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.append("RateLimit-Policy", self.policy)
                headers.append("RateLimit", limit)
            await send(message)

        await self.app(scope, receive, send_with_limit)

    def client_key(self, scope: Scope) -> str:
        """The API key's digest when the key header is set and sent, else the client IP."""
        if self.key_header is not None:
            for name, value in scope["headers"]:
                if name == self.key_header:
                    return "key:" + hashlib.blake2b(value, digest_size=16).hexdigest()
        client = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")


class RateLimitSettings(RedisSettings):
    rate_limit_requests: int = Field(
        default=120, ge=1, description="Requests a client may burst; the bucket size."
    )
    rate_limit_window: int = Field(
        default=60, ge=1, description="Seconds in which an empty bucket refills completely."
    )
    rate_limit_key_header: str | None = Field(
        default=None, description="Header (e.g. X-API-Key) naming the client; else its IP."
    )
    rate_limit_exempt_paths: list[str] = Field(default=["/health"])
    rate_limit_redis_prefix: str = "{{ cookiecutter.project_slug }}:rate-limit:"


def rate_limit_module(
    settings: RateLimitSettings, *, clock: Callable[[], float] = time.time
) -> Module:
    """Register it last of the middleware, so a refused request costs only a bucket lookup;
    `clock` (seconds) drives the buckets."""
    limiter = RateLimiter(
        settings.rate_limit_requests,
        settings.rate_limit_window,
        redis=settings,
        prefix=settings.rate_limit_redis_prefix,
        clock=clock,
    )
    return Module(
        name="rate_limit",
        lifespan=limiter.lifespan,
        middleware=[
            Middleware(
                RateLimitMiddleware,
                limiter=limiter,
                key_header=settings.rate_limit_key_header,
                exempt_paths=settings.rate_limit_exempt_paths,
            )
        ],
        responses={429: "Too many requests from this client; retry after `Retry-After` seconds."},
    )
