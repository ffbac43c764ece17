{% if cookiecutter.auth == "oidc" %}
"""Clients of the app under test, as its usual callers: each carries a token with every
scope, from the session's identity provider (support/identity.py). Tests of refusals send
their own headers."""
{% else %}
"""Clients of the app under test, as its usual callers."""
{% endif %}

from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp
{% if cookiecutter.auth == "oidc" %}

from . import identity

HEADERS = identity.authorization()
"""What every client of the tests sends."""
SENDER: str | None = identity.SESSION_SUBJECT
{% else %}

HEADERS: dict[str, str] = {}
"""What every client of the tests sends."""
SENDER: str | None = None
{% endif %}
"""Who subscribers see as the sender of what the tests' clients publish."""


def asgi_client(app: ASGIApp, base_url: str = "http://test") -> AsyncClient:
    """A client of `app` in this process."""
    return AsyncClient(transport=ASGITransport(app), base_url=base_url, headers=HEADERS)
