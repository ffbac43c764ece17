"""The module's resources: opened by the lifespan, reached by the endpoints through state."""

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ..module import State
from .auth import Authenticate
from .broadcast import Broadcast, open_broadcast
from .connections import Hub, Limits
from .redis_broadcast import RedisBackend
from .settings import RealtimeSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Realtime:
    """What the endpoints need, as `request.state.realtime`."""

    hub: Hub
    broadcast: Broadcast
    limits: Limits
    authenticate: Authenticate
    retry_after: int
    """Seconds a refused publish should wait before trying again."""


class Runtime:
    def __init__(self, settings: RealtimeSettings, authenticate: Authenticate) -> None:
        self.settings = settings
        self.authenticate = authenticate
        self.limits = Limits(
            max_message_size=settings.realtime_max_message_size,
            send_queue_size=settings.realtime_send_queue_size,
            max_channels=settings.realtime_max_channels,
            idle_timeout=settings.realtime_idle_timeout or None,
            max_invalid_messages=settings.realtime_max_invalid_messages,
            close_timeout=settings.realtime_close_timeout,
        )
        self._redis: RedisBackend | None = None

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[State]:
        """Open the broadcast; on exit close every socket (1001), then the broadcast."""
        hub = Hub()
        async with open_broadcast(self.settings, hub.deliver) as broadcast:
            if isinstance(broadcast.backend, RedisBackend):
                self._redis = broadcast.backend
            try:
                yield {
                    "broadcast": broadcast,
                    "realtime": Realtime(
                        hub,
                        broadcast,
                        self.limits,
                        self.authenticate,
                        # A stalled Redis fails the publish in flight within this time.
                        retry_after=math.ceil(self.settings.redis_timeout),
                    ),
                }
            finally:
                self._redis = None
                try:
                    async with asyncio.timeout(self.limits.close_timeout):
                        await hub.shutdown()
                except TimeoutError:
                    logger.warning("realtime: %d sockets still closing", len(hub.connections))

    async def check_redis(self) -> None:
        """Readiness: this process is subscribed and Redis answers."""
        if self._redis is None:
            raise ConnectionError("the broadcast is not open")
        await self._redis.check()
