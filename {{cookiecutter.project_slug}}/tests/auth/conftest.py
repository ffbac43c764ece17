"""The auth module in front of a fake identity provider."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from pydantic import HttpUrl

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.auth import auth_module
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.identity import AUDIENCE, ISSUER, Provider


@pytest.fixture
def settings() -> Settings:
    """Trusts the fake provider; a refresh on an unknown key is allowed at once."""
    return Settings(
        environment="test",
        auth_issuer=HttpUrl(ISSUER),
        auth_audience=AUDIENCE,
        auth_jwks_refresh_interval=0,
        gc_young_threshold=0,
        _env_file=None,
    )


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
async def client(settings: Settings, provider: Provider) -> AsyncIterator[AsyncClient]:
    async with serving(settings, provider) as client:
        yield client


@asynccontextmanager
async def serving(
    settings: Settings,
    provider: Provider,
    *,
    development: bool = False,
    also: Sequence[Module] = (),
) -> AsyncIterator[AsyncClient]:
    """A client of the auth module (and `also`), its lifespan running, keys from `provider`."""
    module = auth_module(settings, development=development, transport=provider.transport)
    async with LifespanManager(create_app(settings, enabled=[module, *also])) as manager:
        transport = ASGITransport(manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
