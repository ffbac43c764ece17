"""Redis pub/sub between the processes of the service, written for failure.

Each process holds ONE pattern subscription (`<prefix>*`) however many sockets it has,
and fans what arrives out to its local subscribers. Publishing never waits for Redis: a
frame is delivered locally and put in a bounded outbox, and one task per process hands
what waits there to Redis, in order, a batch per round trip, tagged with this process's
origin so the echo is skipped.

What a publisher can rely on, whatever Redis does (pub/sub is at most once):

- an accepted message reaches every subscriber in this process;
- it reaches the other processes' subscribers if Redis answers; one published while Redis
  is down or stalled reaches none of them, and nothing is replayed later;
- when the outbox is full (Redis stalled before the listener noticed), a publish is
  refused and reaches nobody: the publisher is told (`publish` returns False) and can retry.

While Redis is unreachable the listener reconnects with capped, jittered exponential
backoff; sockets stay open and local delivery goes on.
"""

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .backend import Deliver
from .settings import RealtimeSettings

logger = logging.getLogger(__name__)

BACKOFF_MIN = 0.1
BACKOFF_MAX = 5.0
HEARTBEAT = 10.0
"""Seconds of silence after which the listener pings Redis; a second silence reconnects."""


class RedisBackend:
    def __init__(
        self, client: Redis, prefix: str, deliver: Deliver | None, outbox_size: int
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._deliver = deliver
        self._origin = secrets.token_hex(8).encode()
        self._subscribed = asyncio.Event()
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(outbox_size)
        self._refusing = False
        self._reaching = True

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: RealtimeSettings, deliver: Deliver | None) -> AsyncIterator[Self]:
        """Send (and listen, when there is someone to `deliver` to) until the context exits.

        On exit, what is still in the outbox gets `redis_timeout` seconds to reach Redis.
        """
        if settings.redis_url is None:
            raise ValueError("RedisBackend needs REDIS_URL")
        # No retries: a PUBLISH sent again after its reply was lost would be delivered twice,
        # and the listener reconnects on its own.
        options = settings.redis_options() | {"retry": Retry(NoBackoff(), 0)}
        client = Redis.from_url(settings.redis_url, **options)
        backend = cls(
            client, settings.realtime_redis_prefix, deliver, settings.realtime_publish_queue_size
        )
        tasks = {asyncio.create_task(backend._forward())}
        if deliver is not None:
            tasks.add(asyncio.create_task(backend._listen(deliver)))
        try:
            yield backend
        finally:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.redis_timeout):
                    await backend._outbox.join()
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)
            await client.aclose()

    @property
    def subscribed(self) -> bool:
        """Whether this process currently receives what the others publish."""
        return self._subscribed.is_set()

    async def wait_subscribed(self) -> None:
        await self._subscribed.wait()

    async def publish(self, channel: str, frame: str) -> bool:
        """Deliver locally and queue for the other processes; False (nothing delivered)
        when the outbox is full."""
        try:
            self._outbox.put_nowait((channel, frame))
        except asyncio.QueueFull:
            if not self._refusing:
                self._refusing = True
                logger.warning("realtime: Redis is not keeping up; refusing to publish")
            return False
        self._refusing = False
        if self._deliver is not None:
            self._deliver(channel, frame)
        return True

    async def check(self) -> None:
        """Readiness: subscribed, and Redis answers."""
        if self._deliver is not None and not self._subscribed.is_set():
            raise ConnectionError("not subscribed to Redis; reconnecting")
        await self._client.ping()

    async def _forward(self) -> None:
        """Hand the outbox to Redis, in order: every frame waiting goes in one round trip."""
        outbox = self._outbox
        while True:
            batch = [await outbox.get()]
            while not outbox.empty():
                batch.append(outbox.get_nowait())
            try:
                await self._send(batch)
            finally:
                for _ in batch:
                    outbox.task_done()

    async def _send(self, batch: list[tuple[str, str]]) -> None:
        if self._deliver is not None and not self._subscribed.is_set():
            return  # Redis is known to be down: don't wait on it for every batch.
        try:
            async with self._client.pipeline(transaction=False) as pipeline:
                for channel, frame in batch:
                    pipeline.publish(self._prefix + channel, self._origin + frame.encode())
                await pipeline.execute()
        except (RedisError, OSError) as error:
            if self._reaching:
                self._reaching = False
                logger.warning(
                    "realtime: messages not sent to other processes (%s); "
                    "dropping them until Redis answers",
                    error,
                )
            return
        if not self._reaching:
            self._reaching = True
            logger.info("realtime: sending to other processes again")

    async def _listen(self, deliver: Deliver) -> None:
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

    async def _receive(self, pubsub: PubSub, deliver: Deliver) -> None:
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

    def _dispatch(self, message: dict[str, Any], deliver: Deliver) -> None:
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
