"""Redis pub/sub between the processes of the service, written for failure.

Each process holds ONE pattern subscription (`<prefix>*`) however many sockets it has,
and fans what arrives out to its local subscribers. A frame is delivered locally first,
then published to Redis tagged with this process's origin, so the echo is skipped and
local delivery never waits for, or depends on, Redis. While Redis is unreachable the
listener reconnects with capped, jittered exponential backoff and cross-process copies
are dropped (pub/sub is at-most-once); sockets stay open and local delivery goes on.
"""

import asyncio
import logging
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Self

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .broadcast import Deliver

BACKOFF_MIN = 0.1
BACKOFF_MAX = 5.0
HEARTBEAT = 10.0
"""Seconds of silence after which the listener pings Redis; a second silence reconnects."""


class RedisBackend:
    def __init__(self, client: Redis, prefix: str, deliver: "Deliver | None") -> None:
        self._client = client
        self._prefix = prefix
        self._deliver = deliver
        self._origin = secrets.token_hex(8).encode()
        self._subscribed = asyncio.Event()

    @classmethod
    @asynccontextmanager
    async def open(cls, url: str, prefix: str, deliver: "Deliver | None") -> AsyncIterator[Self]:
        """Listen (when there is someone to `deliver` to) until the context exits."""
        # Fail fast instead of retrying inside redis-py: the listener owns reconnection,
        # and a publish must not stall the socket that sent it.
        client = Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        backend = cls(client, prefix, deliver)
        listener = asyncio.create_task(backend._listen(deliver)) if deliver else None
        try:
            yield backend
        finally:
            if listener is not None:
                listener.cancel()
                await asyncio.wait({listener})
            await client.aclose()

    @property
    def subscribed(self) -> bool:
        """Whether this process currently receives what the others publish."""
        return self._subscribed.is_set()

    async def wait_subscribed(self) -> None:
        await self._subscribed.wait()

    async def publish(self, channel: str, frame: str) -> None:
        if self._deliver is not None:
            self._deliver(channel, frame)
            if not self._subscribed.is_set():
                return  # Redis is down: don't make every publish wait for a connect timeout.
        try:
            await self._client.publish(self._prefix + channel, self._origin + frame.encode())
        except (RedisError, OSError) as error:
            logger.warning("realtime: %r not sent to other processes: %s", channel, error)

    async def check(self) -> None:
        """Readiness: subscribed, and Redis answers."""
        if self._deliver is not None and not self._subscribed.is_set():
            raise ConnectionError("not subscribed to Redis; reconnecting")
        await self._client.ping()

    async def _listen(self, deliver: "Deliver") -> None:
        delay = BACKOFF_MIN
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(_escape(self._prefix) + "*")
                    await self._receive(pubsub, deliver)
            except (RedisError, OSError) as error:
                if self._subscribed.is_set():
                    self._subscribed.clear()
                    delay = BACKOFF_MIN
                    logger.warning(
                        "realtime: lost the Redis subscription (%s); local delivery goes on", error
                    )
                else:
                    logger.debug("realtime: Redis still unreachable: %s", error)
            await asyncio.sleep(random.uniform(delay / 2, delay))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, BACKOFF_MAX)

    async def _receive(self, pubsub: PubSub, deliver: "Deliver") -> None:
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=HEARTBEAT)
            if message is None:
                if pinged:
                    raise ConnectionError(f"Redis did not answer a ping in {HEARTBEAT} s")
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            if message["type"] == "pmessage":
                self._dispatch(message, deliver)
            elif message["type"] == "psubscribe":
                self._subscribed.set()
                logger.info("realtime: subscribed to Redis channels %s*", self._prefix)

    def _dispatch(self, message: dict[str, Any], deliver: "Deliver") -> None:
        data: bytes = message["data"]
        if data.startswith(self._origin):
            return  # this process published it and delivered it already
        try:
            channel = message["channel"][len(self._prefix) :].decode()
            frame = data[len(self._origin) :].decode()
        except UnicodeDecodeError:
            logger.warning("realtime: dropped a message that is not UTF-8 from Redis")
            return
        deliver(channel, frame)


def _escape(prefix: str) -> str:
    """`prefix` with Redis glob characters escaped, for a pattern matching it literally."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in prefix)
