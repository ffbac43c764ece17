"""Fixtures shared by every test: an app per test, served with its lifespan running."""
{% set services = cookiecutter.database == "postgresql" or cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}

{% if services %}
import os
import socket
{% endif %}
from collections.abc import AsyncIterator
{% if services %}
from urllib.parse import urlsplit
{% endif %}

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
{% if services %}


def require_service(url: str, what: str) -> str:
    """`url` when its server accepts connections; else skip, or fail under CI=true."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 0)
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError as error:
        reason = f"{what} is not reachable at {address[0]}:{address[1]} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)
    return url
{% endif %}
{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A real Redis for the tests that need one: `TEST_REDIS_URL`, or the local default."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    return require_service(url, "Redis")
{% endif %}
