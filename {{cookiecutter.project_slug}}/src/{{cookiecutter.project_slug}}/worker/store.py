"""Short-lived job records (status, idempotency keys): in this process, or in Redis.

Every record expires after a fixed time, so the store stays bounded however many
jobs pass through it.
"""

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import ConnectionPool, Redis


class Store(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def claim(self, key: str, value: str) -> str | None:
        """Set `key` unless it exists: None when this call set it, else the existing value."""
        ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    """Records of this process: oldest first, dropped when expired or over `max_records`."""

    def __init__(self, ttl: float, max_records: int = 100_000) -> None:
        self.ttl = ttl
        self.max_records = max_records
        self._records: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def get(self, key: str) -> str | None:
        record = self._records.get(key)
        if record is None or record[0] <= time.monotonic():
            return None
        return record[1]

    async def set(self, key: str, value: str) -> None:
        now = time.monotonic()
        self._records.pop(key, None)
        self._records[key] = (now + self.ttl, value)
        while self._records:
            oldest_key, (expires, _) = next(iter(self._records.items()))
            if expires > now and len(self._records) <= self.max_records:
                break
            del self._records[oldest_key]

    async def claim(self, key: str, value: str) -> str | None:
        existing = await self.get(key)
        if existing is None:
            await self.set(key, value)
        return existing

    async def delete(self, key: str) -> None:
        self._records.pop(key, None)

    async def close(self) -> None:
        """Nothing to release: the records go with the process (and stay readable until then)."""


class RedisStore:
    """Records shared by every process, under `prefix`, expired by Redis itself.

    It borrows the broker's connection pool (and its timeouts); the broker closes it.
    """

    def __init__(self, pool: ConnectionPool, prefix: str, ttl: int) -> None:
        self.redis = Redis(connection_pool=pool)
        self.prefix = prefix
        self.ttl = ttl

    async def get(self, key: str) -> str | None:
        return _text(await self.redis.get(self._key(key)))

    async def set(self, key: str, value: str) -> None:
        await self.redis.set(self._key(key), value, ex=self.ttl)

    async def claim(self, key: str, value: str) -> str | None:
        existing = await self.redis.set(self._key(key), value, ex=self.ttl, nx=True, get=True)
        return _text(existing)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self._key(key))

    async def close(self) -> None:
        await self.redis.aclose()

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"


def _text(value: object) -> str | None:
    """A reply as text; None stays None (no such key)."""
    return value.decode() if isinstance(value, bytes) else None if value is None else str(value)
