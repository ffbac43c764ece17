"""Which tokens the service accepts: the checks of RFC 7519 and RFC 8725, through the API."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from httpx import AsyncClient

from .conftest import bearer
from support.identity import AUDIENCE, ISSUER, Provider, stranger


async def test_a_valid_token_names_the_caller_and_its_scopes(
    client: AsyncClient, provider: Provider
) -> None:
    response = await client.get("/me", headers=bearer(provider.token()))
    assert response.status_code == 200
    assert response.json() == {"subject": "alice", "scopes": ["items:write", "profile"]}


async def test_an_ec_key_of_the_set_verifies_too(client: AsyncClient, provider: Provider) -> None:
    token = provider.token("ec-1", scope=None, scp=["items:write"])
    response = await client.get("/me", headers=bearer(token))
    assert response.json() == {"subject": "alice", "scopes": ["items:write"]}


async def test_no_token_is_a_bare_bearer_challenge(client: AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = base64.urlsafe_b64decode(payload + "==").replace(b"alice", b"admin")
    forged = base64.urlsafe_b64encode(claims).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _segment(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _claims() -> dict[str, object]:
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory", "exp": int(time.time()) + 60}


def _hmac_with_the_public_key(provider: Provider) -> str:
    """The algorithm-confusion forgery: HS256 keyed with the provider's public RSA key
    (signed by hand: PyJWT itself refuses to use a PEM key as an HMAC secret)."""
    public = provider.keys["rsa-1"][0].public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _segment(json.dumps({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}).encode())
    body = _segment(json.dumps(_claims()).encode())
    signature = hmac.new(pem, header + b"." + body, hashlib.sha256).digest()
    return b".".join([header, body, _segment(signature)]).decode()


def _unsigned(provider: Provider) -> str:
    return jwt.encode(_claims(), "", algorithm="none", headers={"kid": "rsa-1"})


@pytest.mark.parametrize(
    ("build", "why"),
    [
        (lambda p: p.token(exp=int(time.time()) - 120), "expired"),
        (lambda p: p.token(nbf=int(time.time()) + 120), "not valid yet"),
        (lambda p: p.token(iss="https://evil.example.com"), "another issuer"),
        (lambda p: p.token(aud="api://another-service"), "another audience"),
        (lambda p: p.token(sub=None), "'sub'"),
        (lambda p: p.token(exp=None), "'exp'"),
        (lambda p: p.token(algorithm="RS384"), "'RS384' is not accepted"),
        (lambda p: p.token("rsa-1", key=p.keys["ec-1"][0], algorithm="ES256"), "unknown key"),
        (_hmac_with_the_public_key, "'HS256' is not accepted"),
        (_unsigned, "'none' is not accepted"),
        (lambda p: _tampered(p.token()), "does not verify"),
        (lambda p: p.token(key=stranger()), "does not verify"),
        (lambda p: p.token("unknown-kid"), "unknown key"),
        (lambda p: jwt.encode(_claims(), p.keys["rsa-1"][0], "RS256"), "no signing key"),
        (lambda p: "not.a.token", "malformed"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "no-subject",
        "no-expiry",
        "algorithm-not-allowed",
        "algorithm-not-the-keys",
        "hmac-with-public-key",
        "alg-none",
        "tampered",
        "signed-by-a-stranger",
        "unknown-kid",
        "no-kid",
        "malformed",
    ],
)
async def test_a_token_not_accepted_is_401_invalid_token(
    client: AsyncClient, provider: Provider, build: object, why: str
) -> None:
    token = build(provider)  # type: ignore[operator]
    response = await client.get("/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.headers["content-type"] == "application/problem+json"
    assert why in response.json()["detail"]


async def test_clock_skew_within_the_leeway_is_forgiven(
    client: AsyncClient, provider: Provider
) -> None:
    token = provider.token(exp=int(time.time()) - 10)  # leeway: 30 s
    assert (await client.get("/me", headers=bearer(token))).status_code == 200


async def test_verifying_does_no_network_io_once_keys_are_cached(
    client: AsyncClient, provider: Provider
) -> None:
    assert (await client.get("/me", headers=bearer(provider.token()))).status_code == 200
    fetched = len(provider.fetches)
    for _ in range(20):
        assert (await client.get("/me", headers=bearer(provider.token()))).status_code == 200
    assert len(provider.fetches) == fetched
