"""Publishing: serialize a message once, then hand the same frame to every subscriber.

A backend carries frames between processes (see `backend.py`): `MemoryBackend` when the
service is one process, `RedisBackend` (see `redis_broadcast.py`) when `REDIS_URL` is set.
"""

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

{% if cookiecutter.tracing %}
from opentelemetry import trace
from opentelemetry.trace import SpanKind
{% endif %}
from pydantic import JsonValue

{% if cookiecutter.tracing %}
from ..tracing import trace_ids
{% endif %}
from .backend import Backend, Deliver, MemoryBackend
from .protocol import CHANNEL_PATTERN, Message
from .redis_broadcast import RedisBackend
from .settings import RealtimeSettings

logger = logging.getLogger(__name__)

_CHANNEL = re.compile(CHANNEL_PATTERN)


class Broadcast:
    """Publishes to channels; the object behind `request.state.broadcast`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
{% if cookiecutter.tracing %}
        self.tracer = trace.get_tracer(__name__)
{% endif %}

    async def publish(
        self,
        channel: str,
        payload: JsonValue,
        sender: str | None = None,
        request_id: str | None = None,
    ) -> bool:
        """Send `payload` to every current subscriber of `channel`, at most once each;
        `request_id` names the request it comes from, for the subscribers' logs{% if cookiecutter.tracing %}, and the
        message carries the current trace's id{% endif %}.

        Never waits: local subscribers have it queued, other processes get it through
        Redis. Nothing is stored for clients that subscribe later or are disconnected.
        Returns False, having delivered it to nobody, when Redis is too far behind to take
        it (see `redis_broadcast.py`); publishing again later may succeed.
        """
        if not _CHANNEL.fullmatch(channel):
            raise ValueError(f"Invalid channel name {channel!r}; expected {CHANNEL_PATTERN}")
{% if cookiecutter.tracing %}
        with self.tracer.start_as_current_span(
            "publish",  # one name for all channels, whose names can be as many as jobs
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "websocket", "messaging.destination.name": channel},
        ):
            return await self._publish(channel, payload, sender, request_id)

    async def _publish(
        self, channel: str, payload: JsonValue, sender: str | None, request_id: str | None
    ) -> bool:
{% endif %}
        message = Message(
            channel=channel,
            payload=payload,
            sender=sender,
            timestamp=_now(),
            request_id=request_id,
{% if cookiecutter.tracing %}
            trace_id=trace_ids()["trace_id"],  # the publish span's: its caller's trace
{% endif %}
        )
        return await self.backend.publish(channel, message.model_dump_json())


def _now() -> datetime:
    return datetime.now(UTC)


def _nowhere(channel: str, frame: str) -> None:
    """Deliver for a process with no sockets."""


@asynccontextmanager
async def open_broadcast(
    settings: RealtimeSettings, deliver: Deliver | None = None
) -> AsyncIterator[Broadcast]:
    """A `Broadcast` for code outside the app, e.g. a worker process; the app opens its own.

    With `REDIS_URL` set it reaches the subscribers of every process of the service; without
    it, only `deliver` (there is no other process to reach). `deliver` also receives what
    other processes publish, through one Redis subscription that this context keeps open,
    and what was published goes out to Redis before the context exits (if Redis answers).
    """
    if settings.redis_url is None:
        if deliver is None:
            logger.warning("realtime: no REDIS_URL, so messages published here reach nobody")
        yield Broadcast(MemoryBackend(deliver or _nowhere))
        return
    async with RedisBackend.open(settings, deliver) as backend:
        yield Broadcast(backend)
