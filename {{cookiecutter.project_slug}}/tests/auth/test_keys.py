"""The provider's keys: discovery, rotation, refresh limits, an unreachable provider."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.auth import auth_module
from {{ cookiecutter.project_slug }}.modules import Settings

from .conftest import bearer, serving
from support.identity import JWKS_URL, Provider, stranger


async def test_keys_come_from_the_issuers_discovery_document(
    client: AsyncClient, provider: Provider
) -> None:
    assert (await client.get("/me", headers=bearer(provider.token()))).status_code == 200
    assert provider.fetches[:2] == [
        "/realms/test/.well-known/openid-configuration",
        "/realms/test/keys",
    ]


async def test_a_rotated_key_is_fetched_once_and_a_retired_one_refused(
    client: AsyncClient, provider: Provider
) -> None:
    assert (await client.get("/me", headers=bearer(provider.token("rsa-1")))).status_code == 200
    provider.published = ["rsa-2", "ec-1"]  # the provider rotates: rsa-1 out, rsa-2 in
    fetched = len(provider.fetches)

    response = await client.get("/me", headers=bearer(provider.token("rsa-2")))
    assert response.status_code == 200
    assert len(provider.fetches) == fetched + 1

    # Cached keys stay until the next scheduled refresh; after one, rsa-1 is gone.
    provider.published = ["rsa-2"]
    assert (await client.get("/me", headers=bearer(provider.token("x")))).status_code == 401
    response = await client.get("/me", headers=bearer(provider.token("rsa-1")))
    assert response.status_code == 401
    assert "unknown key" in response.json()["detail"]


async def test_unknown_keys_refresh_at_most_once_per_interval(
    settings: Settings, provider: Provider
) -> None:
    # The last fetch (at start-up) was under a minute ago: no forged kid causes another.
    settings = settings.model_copy(update={"auth_jwks_refresh_interval": 60.0})
    async with serving(settings, provider) as client:
        assert (await client.get("/me", headers=bearer(provider.token()))).status_code == 200
        fetched = len(provider.fetches)
        for kid in ("forged-1", "forged-2", "forged-3"):
            token = provider.token(kid, key=stranger())
            assert (await client.get("/me", headers=bearer(token))).status_code == 401
    assert len(provider.fetches) == fetched


async def test_a_jwks_url_needs_no_discovery(settings: Settings, provider: Provider) -> None:
    settings = settings.model_copy(update={"auth_issuer": None, "auth_jwks_url": JWKS_URL})
    async with serving(settings, provider) as client:
        assert (await client.get("/health/ready")).status_code == 200
    assert provider.fetches == ["/realms/test/keys"]


@pytest.fixture
async def provider_down(settings: Settings, provider: Provider) -> AsyncIterator[AsyncClient]:
    """The service started while the provider refused connections."""
    provider.down = True
    async with serving(settings, provider) as client:
        yield client


async def test_an_unreachable_provider_makes_the_service_unready_not_dead(
    provider_down: AsyncClient, provider: Provider
) -> None:
    response = await provider_down.get("/health/ready")
    assert response.status_code == 503
    assert "ConnectError" in response.text
    assert (await provider_down.get("/health/live")).status_code == 200
    assert (await provider_down.get("/me", headers=bearer(provider.token()))).status_code == 401

    # Back up: the next token's unknown key fetches the set (so would the background task).
    provider.down = False
    assert (await provider_down.get("/me", headers=bearer(provider.token()))).status_code == 200
    assert (await provider_down.get("/health/ready")).status_code == 200


async def test_the_refresh_task_ends_with_the_lifespan(
    settings: Settings, provider: Provider
) -> None:
    module = auth_module(settings, development=False, transport=provider.transport)
    async with LifespanManager(create_app(settings, enabled=[module])):
        assert [t for t in asyncio.all_tasks() if t.get_name() == "auth-keys"]
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "auth-keys"]
