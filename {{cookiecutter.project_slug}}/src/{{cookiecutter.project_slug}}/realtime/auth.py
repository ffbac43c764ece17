"""Who may connect and publish: checked on the handshake, before the socket is accepted.

The shipped check lets everyone in anonymously while `REALTIME_ALLOW_ANONYMOUS` is true
(the default; production needs it set explicitly), and no one when it is false. To require
credentials, write an
`Authenticate` function (verify the token, e.g. a JWT, and return its subject) and pass it
to `realtime_module(settings, authenticate=...)` in `modules.py`. It guards both `/ws` and
the HTTP publish endpoint; a refused WebSocket is closed before acceptance (1008, which
servers send as HTTP 403), a refused HTTP request gets 401 or 403.

Clients present a token in, by preference:
- the `Authorization: Bearer <token>` header (servers and native clients);
- the subprotocols `["bearer", "<token>"]` (browsers, which cannot set headers);
  the server then accepts the `bearer` subprotocol, never echoing the token;
- the `?token=<token>` query parameter (last resort: URLs end up in access logs).
"""

from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection

BEARER = "bearer"


class AuthenticationError(Exception):
    """Raised by an `Authenticate` function to refuse the client; the message says why."""


Authenticate = Callable[[HTTPConnection, str | None], Awaitable[str | None]]
"""Given the request and its token (None when absent), the client's name or None for
anonymous; the name is sent as `sender` on what the client publishes."""


async def allow_anonymous(connection: HTTPConnection, token: str | None) -> str | None:
    """Everyone is in, anonymously: replace before exposing the service to the public."""
    return None


async def refuse_all(connection: HTTPConnection, token: str | None) -> str | None:
    """No one is in: anonymous access is off and no other check was given."""
    raise AuthenticationError("this service accepts no anonymous clients")


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
