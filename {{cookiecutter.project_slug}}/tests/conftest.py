"""Fixtures shared by every test: an app per test, served with its lifespan running."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """`async def` tests run under anyio (`anyio_mode = "auto"`), on asyncio."""
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    """Settings of the app under test, ignoring any local `.env`; override to change."""
    return Settings(environment="test", _env_file=None)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    """The app with its lifespan entered, as a server runs it."""
    async with LifespanManager(create_app(settings)) as manager:
        yield manager.app


@pytest.fixture
async def client(app: ASGIApp) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        yield client
