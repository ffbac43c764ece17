"""A fake identity provider (a discovery document, a JWKS, and tokens signed with its keys or
with keys it does not publish): behind `httpx.MockTransport`, or served on a local port.

The whole test session trusts one served provider (`session_issuer`), so that every client
of the tests can carry a token with every scope (`authorization()`).
"""

import functools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from {{ cookiecutter.project_slug }}.auth import AuthSettings, auth_module
from {{ cookiecutter.project_slug }}.module import Module

ISSUER = "https://login.example.com/realms/test"
AUDIENCE = "api://my-service"
JWKS_URL = "https://login.example.com/realms/test/keys"

_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_RSA_NEXT = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_EC = ec.generate_private_key(ec.SECP256R1())
_STRANGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
"""Key pairs made once per test session (RSA generation takes a while)."""

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def jwk(key: SigningKey, kid: str, alg: str) -> dict[str, Any]:
    """The public half of `key` as its JWKS entry."""
    if isinstance(key, rsa.RSAPrivateKey):
        text = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())
    else:
        text = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())
    entry: dict[str, Any] = json.loads(text)
    return entry | {"kid": kid, "use": "sig", "alg": alg}


class Provider:
    """Publishes `published` keys; counts every fetch; `down` makes it refuse connections."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[SigningKey, str]] = {
            "rsa-1": (_RSA, "RS256"),
            "ec-1": (_EC, "ES256"),
            "rsa-2": (_RSA_NEXT, "RS256"),
        }
        self.published = ["rsa-1", "ec-1"]
        self.fetches: list[str] = []
        self.down = False

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        self.fetches.append(request.url.path)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": JWKS_URL})
        if str(request.url) == JWKS_URL:
            keys = [jwk(self.keys[kid][0], kid, self.keys[kid][1]) for kid in self.published]
            return httpx.Response(200, json={"keys": keys})
        return httpx.Response(404)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def token(
        self,
        kid: str = "rsa-1",
        *,
        key: SigningKey | None = None,
        algorithm: str | None = None,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """A token signed by key `kid` (or by `key`, claiming `kid`), with sane claims that
        `claims` override (None removes one)."""
        signing_key, default_algorithm = self.keys.get(kid, (_STRANGER, "RS256"))
        issued = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "alice",
            "scope": "items:write profile",
            "iat": issued,
            "exp": issued + 300,
        } | claims
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(
            payload,
            key or signing_key,
            algorithm=algorithm or default_algorithm,
            headers={"kid": kid} | (headers or {}),
        )


def stranger() -> SigningKey:
    """A key the provider never published."""
    return _STRANGER


SESSION_SCOPES = "items:write channels:publish"
"""Every scope the service checks: the session's clients may do anything."""
SESSION_SUBJECT = "tester"


@functools.cache
def session_issuer() -> str:
    """The provider the test session trusts (`AUTH_ISSUER` in every test), served until the
    session ends."""
    server, issuer = _serve()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return issuer


def signed(issuer: str, **claims: Any) -> str:
    """A token of the provider at `issuer` (served here), valid for the whole session, with
    claims that `claims` override."""
    session = {"iss": issuer, "sub": SESSION_SUBJECT, "scope": SESSION_SCOPES}
    return Provider().token(**session | {"exp": int(time.time()) + 86_400} | claims)


def session_settings() -> dict[str, str]:
    """The settings that trust the session's provider, as environment variables."""
    return {"AUTH_ISSUER": session_issuer(), "AUTH_AUDIENCE": AUDIENCE}


@functools.cache
def authorization() -> dict[str, str]:
    """The header of the session's clients: a token with every scope."""
    return {"Authorization": f"Bearer {signed(session_issuer())}"}


def _serve() -> tuple[ThreadingHTTPServer, str]:
    documents: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}/realms/test"
    keys = [jwk(_RSA, "rsa-1", "RS256")]
    discovery = {"issuer": issuer, "jwks_uri": issuer + "/keys"}
    documents["/realms/test/.well-known/openid-configuration"] = json.dumps(discovery).encode()
    documents["/realms/test/keys"] = json.dumps({"keys": keys}).encode()
    return server, issuer


def verifying(settings: AuthSettings) -> Module:
    """The auth module on `settings`, for apps built of a few modules whose routes take a
    principal: the session's tokens are accepted (`AUTH_ISSUER` is the session's)."""
    return auth_module(settings, development=False)


def caller(**claims: Any) -> dict[str, str]:
    """The header of a session token with `claims` changed: another subject, fewer scopes."""
    return {"Authorization": f"Bearer {signed(session_issuer(), **claims)}"}
