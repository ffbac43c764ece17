"""Verified tokens remembered: checked once, forgotten on expiry, eviction or new keys."""

import time

import jwt
import pytest
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.auth import Principal
from {{ cookiecutter.project_slug }}.auth.remembered import VerifiedTokens
from {{ cookiecutter.project_slug }}.modules import Settings

from .conftest import bearer, serving
from support.identity import Provider


def _principal(expires_in: float) -> Principal:
    return Principal.from_claims({"sub": "alice", "exp": time.time() + expires_in})


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token whose signature the service checks."""
    checked: list[str] = []
    decode = jwt.decode

    def counting(token: str, *args: object, **kwargs: object) -> object:
        checked.append(token)
        return decode(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting)
    return checked


async def test_a_token_is_checked_once_then_remembered(
    client: AsyncClient, provider: Provider, decodes: list[str]
) -> None:
    token = provider.token()
    for _ in range(3):
        assert (await client.get("/me", headers=bearer(token))).status_code == 200
    assert decodes == [token]


async def test_with_nothing_remembered_every_request_is_checked(
    settings: Settings, provider: Provider, decodes: list[str]
) -> None:
    settings = settings.model_copy(update={"auth_remembered_tokens": 0})
    token = provider.token()
    async with serving(settings, provider) as client:
        for _ in range(3):
            assert (await client.get("/me", headers=bearer(token))).status_code == 200
    assert decodes == [token] * 3


def test_an_expired_token_is_forgotten() -> None:
    tokens = VerifiedTokens(8)
    tokens.put("fresh", _principal(60), keys_version=1)
    tokens.put("stale", _principal(-1), keys_version=1)
    assert tokens.get("fresh", keys_version=1) is not None
    assert tokens.get("stale", keys_version=1) is None


def test_new_keys_forget_every_token() -> None:
    tokens = VerifiedTokens(8)
    tokens.put("token", _principal(60), keys_version=1)
    assert tokens.get("token", keys_version=2) is None
    assert tokens.get("token", keys_version=1) is None  # gone for good


def test_the_least_recently_used_goes_first() -> None:
    tokens = VerifiedTokens(2)
    tokens.put("a", _principal(60), keys_version=1)
    tokens.put("b", _principal(60), keys_version=1)
    assert tokens.get("a", keys_version=1) is not None  # a is now the most recent
    tokens.put("c", _principal(60), keys_version=1)
    assert tokens.get("b", keys_version=1) is None
    assert tokens.get("a", keys_version=1) is not None
    assert tokens.get("c", keys_version=1) is not None
