"""The module's resources: opened by the lifespan, reached by the endpoints through state."""

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypedDict

from ..module import ReadinessCheck, Resources, State
from .auth import Authenticate, Authorize
from .broadcast import Broadcast, open_broadcast
from .connections import Hub, Limits
from .settings import RealtimeSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Realtime:
    """What the endpoints need, as `request.state.realtime`."""

    hub: Hub
    broadcast: Broadcast
    limits: Limits
    authenticate: Authenticate
    authorize: Authorize
    retry_after: int
    """Seconds a refused publish should wait before trying again."""


class RealtimeState(TypedDict):
    broadcast: Broadcast
    """For any code of the service that publishes (see the package's docstring)."""
    realtime: Realtime


def broadcast_in(state: State) -> Broadcast | None:
    """The app's broadcast, for other modules' lifespans; None when realtime is not running."""
    broadcast = state.get("broadcast")
    if broadcast is None or isinstance(broadcast, Broadcast):
        return broadcast
    raise TypeError(f"state key 'broadcast' holds a {type(broadcast).__name__}, not a Broadcast")


@asynccontextmanager
async def open_realtime(
    settings: RealtimeSettings, authenticate: Authenticate, authorize: Authorize
) -> AsyncIterator[Resources]:
    """The module's lifespan: open the broadcast; on exit close every socket (1001), then it."""
    limits = Limits(
        max_message_size=settings.realtime_max_message_size,
        send_queue_size=settings.realtime_send_queue_size,
        max_channels=settings.realtime_max_channels,
        idle_timeout=settings.realtime_idle_timeout or None,
        max_invalid_messages=settings.realtime_max_invalid_messages,
        close_timeout=settings.realtime_close_timeout,
    )
    hub = Hub()
    async with open_broadcast(settings, hub.deliver) as broadcast:
        realtime = Realtime(
            hub,
            broadcast,
            limits,
            authenticate,
            authorize,
            # A stalled Redis fails the publish in flight within this time.
            retry_after=math.ceil(settings.redis_timeout),
        )
        # Subscribed, and Redis answers: only a Redis backend has processes to reach.
        checks: dict[str, ReadinessCheck] = {}
        if settings.redis_url is not None:
            checks["realtime.redis"] = broadcast.backend.check
        try:
            yield Resources(RealtimeState(broadcast=broadcast, realtime=realtime), checks)
        finally:
            try:
                async with asyncio.timeout(limits.close_timeout):
                    await hub.shutdown()
            except TimeoutError:
                logger.warning("realtime: %d sockets still closing", len(hub.attached))
