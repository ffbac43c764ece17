"""Authentication: bearer tokens of an OpenID Connect provider, verified here.

The service is a resource server: the provider (Keycloak, Auth0, Entra ID, ...) signs
tokens, this module checks them against the provider's published keys and hands routes a
`Principal`:

- `CurrentPrincipal`: a parameter typed with it needs a valid token (else 401);
- `RequireScopes("items:write")`: also needs those scopes (else 403).

Keys are cached and refreshed in the background (`keys.py`); verification itself does no
I/O. In development, `make token` mints tokens with a local key (`devtoken.py`).
"""

import httpx

from ..module import Module
from .dependencies import AUTH_RESPONSES, CurrentPrincipal, RequireScopes
from .lifespan import AuthState, open_auth
from .principal import Principal
from .routes import router
from .settings import AuthSettings
from .verifier import InvalidTokenError, Verifier

__all__ = [
    "AUTH_RESPONSES",
    "AuthSettings",
    "AuthState",
    "CurrentPrincipal",
    "InvalidTokenError",
    "Principal",
    "RequireScopes",
    "Verifier",
    "auth_module",
]


def auth_module(
    settings: AuthSettings,
    *,
    development: bool,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Module:
    """The module; `development` trusts the `make token` key, `transport` replaces the
    network (tests serve a provider through an `httpx.MockTransport`)."""
    return Module(
        name="auth",
        routers=[router],
        lifespan=lambda _app, state: open_auth(
            settings, state, development=development, transport=transport
        ),
    )
