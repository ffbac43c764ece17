"""The Redis stream of jobs: reading it, taking over abandoned jobs, trimming it."""

import asyncio
import logging
import random
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError
from taskiq import AckableMessage, AsyncBroker, BrokerMessage
from taskiq_redis import RedisStreamBroker

logger = logging.getLogger(__name__)

Entry = tuple[bytes, dict[bytes, bytes]]
"""A stream entry as Redis replies it: id and fields."""

BACKOFF_MIN = 0.1
BACKOFF_MAX = 5.0
"""Bounds of the jittered, doubling pause between two attempts to reach an unreachable Redis."""


class StreamBroker(RedisStreamBroker):
    """Takes over the jobs of dead workers even while no new job arrives; outlives Redis outages.

    taskiq-redis claims idle pending entries only after a read that returned new
    ones, so a job abandoned on a quiet queue would wait for the next job.
    `XAUTOCLAIM` is atomic: workers claiming at the same time get different entries.
    Sending and acknowledging share one client instead of building one per call.

    Nothing waits for Redis at start-up: the service starts (not ready) while Redis is
    down, and a worker keeps trying to read until it is back.
    """

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.redis = Redis(connection_pool=self.connection_pool)

    async def startup(self) -> None:
        """taskiq-redis declares the consumer group here; `listen` does, so Redis may be down."""
        await AsyncBroker.startup(self)

    async def kick(self, message: BrokerMessage) -> None:
        await self.redis.xadd(
            message.labels.get("queue_name") or self.queue_name,
            {b"data": message.message},
            maxlen=self.maxlen,
            approximate=self.approximate,
        )

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        delay = BACKOFF_MIN
        while True:
            try:
                await self._declare_consumer_group()  # again after Redis lost its data
                if delay > BACKOFF_MIN:
                    logger.info("jobs: reading the Redis stream %s again", self.queue_name)
                    delay = BACKOFF_MIN
                async with aclosing(self._read()) as messages:
                    async for message in messages:
                        yield message
            except (RedisError, OSError) as error:
                log = logger.warning if delay == BACKOFF_MIN else logger.debug
                log("jobs: cannot read the Redis stream (%s); retrying", error)
                await asyncio.sleep(random.uniform(delay / 2, delay))  # noqa: S311 - jitter
                delay = min(delay * 2, BACKOFF_MAX)

    async def _read(self) -> AsyncGenerator[AckableMessage, None]:
        stream, group, consumer = self.queue_name, self.consumer_group_name, self.consumer_name
        async with Redis(connection_pool=self.connection_pool) as redis:
            while True:
                read = await redis.xreadgroup(
                    group, consumer, {stream: ">"}, count=self.count, block=self.block
                )
                for _, entries in cast(list[tuple[bytes, list[Entry]]], read or []):
                    for entry in entries:
                        yield self._message(entry)
                claimed = await redis.xautoclaim(
                    stream,
                    group,
                    consumer,
                    min_idle_time=self.idle_timeout,
                    count=self.unacknowledged_batch_size,
                )
                for entry in cast(list[Entry], claimed[1]):
                    if entry[1]:  # None when the entry was trimmed away meanwhile
                        yield self._message(entry)

    def _message(self, entry: "Entry") -> AckableMessage:
        entry_id, fields = entry
        stream, group = self.queue_name, self.consumer_group_name

        async def ack() -> None:
            await self.redis.xack(stream, group, entry_id)

        return AckableMessage(data=fields[b"data"], ack=ack)


def _stream_id(value: bytes | str) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else value
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


async def trim_acknowledged(broker: RedisStreamBroker) -> int:
    """Delete the entries every consumer group has read and acknowledged; returns how many.

    A group is done with what precedes its oldest pending entry (still running, or
    waiting for redelivery) or, with none pending, all it was delivered.
    """
    stream = broker.queue_name
    async with Redis(connection_pool=broker.connection_pool) as redis:
        keep_from: tuple[int, int] | None = None
        for group in await redis.xinfo_groups(stream):
            pending = await redis.xpending(stream, group["name"])
            if pending["pending"]:
                oldest = _stream_id(pending["min"])
            else:
                milliseconds, sequence = _stream_id(group["last-delivered-id"])
                oldest = (milliseconds, sequence + 1)
            keep_from = oldest if keep_from is None else min(keep_from, oldest)
        if keep_from is None:
            return 0
        removed: int = await redis.xtrim(
            stream, minid=f"{keep_from[0]}-{keep_from[1]}", approximate=False
        )
        return removed
