"""WebSocket channels: publish/subscribe over `/ws`, across processes through Redis.

Endpoints: `/ws` (protocol in `protocol.py`, documented in the README), `POST
/channels/{channel}/messages`, and `GET /ws/schema` (JSON Schema of every frame).

For other modules, the interface is `Broadcast.publish`:

    async def publish(
        self, channel: str, payload: JsonValue, sender: str | None = None,
        request_id: str | None = None,
    ) -> bool

Every current subscriber of `channel` (on any process, when `REDIS_URL` is set) gets
`{"type": "message", "channel", "payload", "sender", "timestamp", "request_id"{% if cookiecutter.tracing %}, "trace_id"{% endif %}}`;
delivery is at-most-once, nothing is kept for later subscribers. It never waits; it returns
False, having delivered nothing, when Redis is too far behind to take the message (see
`redis_broadcast.py`). Where to get one:

- in a request handler or a task run by the app: `request.state.broadcast`;
- in another module's lifespan: `broadcast_in(state)` (None when realtime is off);
- in another process (a worker): `async with open_broadcast(settings) as broadcast:`,
  which needs `REDIS_URL` to reach the app's processes.

Job completion, for example, goes to channel `jobs.<id>`:

    await broadcast.publish(f"jobs.{job_id}", {"status": "done"}, sender="worker")
"""

from ..module import Module
from .auth import (
    Action,
    Authenticate,
    AuthenticationError,
    Authorize,
    Client,
    allow_anonymous,
    allow_every_channel,
    refuse_all,
)
from .broadcast import Broadcast, open_broadcast
from .routes import router
from .runtime import RealtimeState, broadcast_in, open_realtime
from .settings import RealtimeSettings

__all__ = [
    "Action",
    "Authenticate",
    "AuthenticationError",
    "Authorize",
    "Broadcast",
    "Client",
    "RealtimeSettings",
    "RealtimeState",
    "broadcast_in",
    "open_broadcast",
    "realtime_module",
]


def realtime_module(
    settings: RealtimeSettings,
    *,
    authenticate: Authenticate | None = None,
    authorize: Authorize = allow_every_channel,
) -> Module:
    """The module; `authenticate` decides who may connect, `authorize` what they may do on
    which channel (see `auth.py`)."""
    if authenticate is None:
        authenticate = allow_anonymous if settings.realtime_allow_anonymous else refuse_all
    return Module(
        name="realtime",
        routers=[router],
        lifespan=lambda _app, _state: open_realtime(settings, authenticate, authorize),
    )
