"""Who may connect, and what they may do on which channel.

`Authenticate` runs on the handshake, before the socket is accepted, and on each HTTP
publish: it turns the client's token into a `Client`, or refuses it. The shipped one lets
everyone in anonymously while `REALTIME_ALLOW_ANONYMOUS` is true (the default; production
needs it set explicitly), and no one when it is false. A refused WebSocket is closed before
acceptance (1008, which servers send as HTTP 403); a refused HTTP publish gets 401.

`Authorize` runs on each subscribe and publish: may this client do that on this channel? The
shipped one allows everything. A refused message gets a `forbidden` error event (the
connection stays open); a refused HTTP publish gets 403. Pass your own functions to
`realtime_module(settings, authenticate=..., authorize=...)` in `modules.py`.

Clients present a token in, by preference:
- the `Authorization: Bearer <token>` header (servers and native clients);
- the subprotocols `["bearer", "<token>"]` (browsers, which cannot set headers);
  the server then accepts the `bearer` subprotocol, never echoing the token;
- the `?token=<token>` query parameter (last resort: URLs end up in access logs).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from starlette.requests import HTTPConnection

BEARER = "bearer"


class AuthenticationError(Exception):
    """Raised by an `Authenticate` function to refuse the client; the message says why."""


@dataclass(frozen=True, slots=True)
class Client:
    """Who is on the other end, as `Authenticate` found."""

    name: str | None = None
    """Sent as `sender` on what the client publishes; None: anonymous."""
    scopes: frozenset[str] = frozenset()
    """What its credentials allow, for `Authorize` to read."""


ANONYMOUS = Client()

Action = Literal["subscribe", "publish"]

Authenticate = Callable[[HTTPConnection, str | None], Awaitable[Client]]
"""Given the request and its token (None when absent), the client; raises
`AuthenticationError` to refuse it."""

Authorize = Callable[[HTTPConnection, Client, Action, str], Awaitable[bool]]
"""Given the request, the client, what it asks and the channel: whether it may."""


async def allow_anonymous(connection: HTTPConnection, token: str | None) -> Client:
    """Everyone is in, anonymously: replace before exposing the service to the public."""
    return ANONYMOUS


async def refuse_all(connection: HTTPConnection, token: str | None) -> Client:
    """No one is in: anonymous access is off and no other check was given."""
    raise AuthenticationError("this service accepts no anonymous clients")


async def allow_every_channel(
    connection: HTTPConnection, client: Client, action: Action, channel: str
) -> bool:
    """Whoever is in may subscribe and publish anywhere."""
    return True


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token the client presented, wherever it put it."""
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == BEARER and value.strip():
        return value.strip()
    subprotocols: list[str] = connection.scope.get("subprotocols", [])
    if BEARER in subprotocols:
        position = subprotocols.index(BEARER) + 1
        if position < len(subprotocols):
            return subprotocols[position]
    return connection.query_params.get("token") or None
