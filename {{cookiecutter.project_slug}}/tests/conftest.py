"""Fixtures shared by every test: an app per test, served with its lifespan running."""
{% set services = cookiecutter.database == "postgresql" or cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}

{% if cookiecutter.database != "none" %}
import asyncio
{% endif %}
import os
{% if cookiecutter.database != "none" %}
import shutil
{% endif %}
{% if services %}
import socket
{% endif %}
{% if cookiecutter.database != "none" %}
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
{% else %}
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
{% endif %}
{% if services %}
from urllib.parse import urlsplit
{% endif %}
{% if cookiecutter.database == "postgresql" %}
from uuid import uuid4
{% endif %}

import pytest
{% if cookiecutter.database != "none" %}
from alembic import command
from alembic.config import Config
{% endif %}
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from httpx import AsyncClient
{% if cookiecutter.database == "postgresql" %}
from sqlalchemy import Connection, make_url, text
{% elif cookiecutter.database == "sqlite" %}
from sqlalchemy import Connection, make_url
{% endif %}
{% if cookiecutter.database != "none" %}
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
{% endif %}
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
{% if cookiecutter.database == "postgresql" %}
from {{ cookiecutter.project_slug }}.db import Base
{% endif %}
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
{% if cookiecutter.auth == "oidc" %}
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX
{% endif %}

{% if cookiecutter.auth == "oidc" %}
from support import identity
{% endif %}
from support.callers import asgi_client
from support.service import MODULE, Service, is_setting

# `async def` tests run under anyio (`anyio_mode = "auto"`), on event loops that fail a test
# whose code blocks them (support/blocking.py); pytester runs pytest inside a test.
pytest_plugins = ["pytester", "support.blocking"]


@pytest.fixture(autouse=True, scope="session")
def hermetic() -> Iterator[None]:
    """Each test sees only the settings it builds: the service's variables in the shell that
    runs the tests (set for a container or a CI job, say) are hidden from the whole session,
    module-scoped fixtures included.
{% if cookiecutter.auth == "oidc" %}
    Only the settings of the session's identity provider are set (support/identity.py).
{% endif %}
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if is_setting(name):
                patch.delenv(name)
{% if cookiecutter.auth == "oidc" %}
        for name, value in identity.session_settings().items():
            patch.setenv(ENV_PREFIX + name, value)
{% endif %}
        yield


_crash = APIRouter()


@_crash.get("/boom")
async def _boom() -> None:
    raise RuntimeError("secret internal state")


@pytest.fixture
def crashing() -> Module:
    """A module whose `GET /boom` raises an exception no handler knows."""
    return Module(name="crashing", routers=[_crash])


@pytest.fixture
{% if cookiecutter.database != "none" %}
def settings(database_url: str) -> Settings:
    """Settings of the app under test, ignoring any local `.env`; override to change.

    The collector keeps Python's settings: tuning it starts with a full collection of the
    whole test process for every app (tests/core/test_collector.py tunes it).
    """
    return Settings(
        environment="test",
        database_url=database_url,
        database_alembic_config=str(ALEMBIC_INI),
        gc_young_threshold=0,
        _env_file=None,
    )
{% else %}
def settings() -> Settings:
    """Settings of the app under test, ignoring any local `.env`; override to change.

    The collector keeps Python's settings: tuning it starts with a full collection of the
    whole test process for every app (tests/core/test_collector.py tunes it).
    """
    return Settings(environment="test", gc_young_threshold=0, _env_file=None)
{% endif %}


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    """The app with its lifespan entered, as a server runs it."""
    async with LifespanManager(create_app(settings)) as manager:
        yield manager.app


@pytest.fixture
async def client(app: ASGIApp) -> AsyncIterator[AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
{% if cookiecutter.database != "none" %}
def services(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Service]]:
    """Starts the service as real processes (`services(SHUTDOWN_TIMEOUT="1")`), on the
    test's migrated database unless given another; all stopped after."""
    defaults = {"DATABASE_URL": database_url, "DATABASE_ALEMBIC_CONFIG": str(ALEMBIC_INI)}
{% else %}
def services(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Starts service processes (`services(SHUTDOWN_TIMEOUT="1")`); all stopped after."""
    defaults: dict[str, str] = {}
{% endif %}
    started: list[Service] = []

    def start(
        *args: str, program: Sequence[str] = MODULE, cwd: Path | None = None, **settings: str
    ) -> Service:
        log = tmp_path / f"service-{len(started)}.log"
        service = Service(log, *args, program=program, cwd=cwd, **(defaults | settings))
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
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
{% if cookiecutter.database != "none" %}


ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"
{% if cookiecutter.database == "postgresql" %}
needs_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: set TEST_DATABASE_URL"
)
"""For tests of what only PostgreSQL does; the rest of the suite runs on both."""
{% endif %}


def run_async(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run `coroutine` on an event loop of its own, in a worker thread.

    Fixtures that synchronous tests depend on cannot await, and must not borrow
    (or leave an engine on) the event loop of the test that follows.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, coroutine).result()


async def upgrade(url: str) -> None:
    """Migrate to the latest revision with the project's own Alembic setup."""

    def run(connection: Connection) -> None:
        config = Config(ALEMBIC_INI)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


{% if cookiecutter.database == "postgresql" %}
async def execute(url: str, statement: str, **engine_options: Any) -> None:
    engine = create_async_engine(url, poolclass=NullPool, **engine_options)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def empty_database(directory: Path) -> Iterator[str]:
    """A database of its own with no tables: a new one on the server at
    `TEST_DATABASE_URL` (dropped afterwards), else a SQLite file in `directory`."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{directory / 'test.sqlite3'}"
        return
    url = make_url(require_service(server, "PostgreSQL"))
    name = f"test_{{ cookiecutter.project_slug }}_{uuid4().hex[:12]}"
    run_async(execute(server, f'CREATE DATABASE "{name}"', isolation_level="AUTOCOMMIT"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop = f'DROP DATABASE "{name}" WITH (FORCE)'
        run_async(execute(server, drop, isolation_level="AUTOCOMMIT"))
{% else %}
@contextmanager
def empty_database(directory: Path) -> Iterator[str]:
    """A database of its own with no tables: a SQLite file in `directory`."""
    yield f"sqlite+aiosqlite:///{directory / 'test.sqlite3'}"
{% endif %}


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per test session, at the latest migration; each test gets it empty."""
    with empty_database(tmp_path_factory.mktemp("database")) as url:
        run_async(upgrade(url))
        yield url


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    return emptied(migrated_database, tmp_path)


@pytest.fixture(scope="module")
def module_database_url(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty, migrated database shared by the tests of one module."""
    return emptied(migrated_database, tmp_path_factory.mktemp("database"))


def emptied(migrated_database: str, directory: Path) -> str:
{% if cookiecutter.database == "postgresql" %}
    """A copy of the session's SQLite file in `directory`, or the session's PostgreSQL
    database with every table truncated."""
    url = make_url(migrated_database)
    if url.get_backend_name() == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        run_async(execute(migrated_database, f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return migrated_database
{% else %}
    """A copy of the session's SQLite file in `directory`."""
    url = make_url(migrated_database)
{% endif %}
    assert url.database is not None
    copy = directory / "migrated.sqlite3"
    shutil.copyfile(url.database, copy)
    return url.set(database=str(copy)).render_as_string()
{% endif %}
