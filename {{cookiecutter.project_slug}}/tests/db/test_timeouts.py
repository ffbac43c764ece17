"""Timeouts: a statement that runs out of time is a 503 problem, and the next one is served."""

{% if cookiecutter.database == "postgresql" %}
import asyncio
{% endif %}
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
{% if cookiecutter.database == "postgresql" %}
from typing import Literal
{% endif %}

{% if cookiecutter.database == "postgresql" %}
import pytest
{% endif %}
from asgi_lifespan import LifespanManager
{% if cookiecutter.database == "postgresql" %}
from fastapi import APIRouter
{% endif %}
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, QueuePool

from {{ cookiecutter.project_slug }}.app import create_app
{% if cookiecutter.database == "postgresql" %}
from {{ cookiecutter.project_slug }}.db import DbSession
{% endif %}
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

{% if cookiecutter.database == "postgresql" %}
from conftest import ALEMBIC_INI, needs_postgresql, upgrade
{% else %}
from conftest import ALEMBIC_INI, upgrade
{% endif %}
from support.callers import asgi_client
from support.probes import Watcher


@asynccontextmanager
async def serve(
    settings: Settings, *extra: Module
) -> AsyncIterator[tuple[AsyncClient, AsyncEngine]]:
    """The app on `settings` (and `extra` modules), with its database engine at hand."""
    watcher = Watcher()
    enabled = [*modules(settings), watcher.module(), *extra]
    async with (
        LifespanManager(create_app(settings, enabled=enabled)) as manager,
        asgi_client(manager.app) as client,
    ):
        yield client, watcher.get("engine", AsyncEngine)


@asynccontextmanager
async def holding(database_url: str, statement: str) -> AsyncIterator[None]:
    """Run `statement` on a connection of another client; its transaction (and every lock
    it took) stays open until the block ends."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
            yield
    finally:
        await engine.dispose()


def assert_timed_out(response: Response, path: str) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database is unavailable; try again shortly.",
        "instance": path,
    }


def assert_all_returned(engine: AsyncEngine) -> None:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0


async def test_sqlite_write_that_waits_past_the_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.sqlite3'}"
    await upgrade(url)
    settings = Settings(
        environment="test",
        database_url=url,
        database_busy_timeout=0.1,
        database_alembic_config=str(ALEMBIC_INI),
        _env_file=None,
    )
    async with serve(settings) as (client, engine):
        async with holding(url, "BEGIN IMMEDIATE"):  # another process is writing
            started = time.monotonic()
            assert_timed_out(await client.post("/items", json={"name": "Late"}), "/items")
            assert time.monotonic() - started < 2  # the 0.1 s set, not the default 5 s
            assert (await client.get("/items")).status_code == 200  # readers never wait
            assert (await client.get("/health/ready")).status_code == 200
        assert (await client.post("/items", json={"name": "Late"})).status_code == 201
        assert_all_returned(engine)
{% if cookiecutter.database == "postgresql" %}


@needs_postgresql
async def test_postgresql_statement_past_the_command_timeout(settings: Settings) -> None:
    settings = settings.model_copy(update={"database_command_timeout": 0.3})
    async with serve(settings) as (client, engine):
        item = (await client.post("/items", json={"name": "Held"})).json()
        path = f"/items/{item['id']}"
        async with holding(settings.database_url, "SELECT id FROM items FOR UPDATE"):
            assert_timed_out(await client.patch(path, json={"quantity": 1}), path)
            assert (await client.get("/health/ready")).status_code == 200  # only a row is busy
        assert (await client.get(path)).json()["quantity"] == 0  # cancelled, not applied late
        assert (await client.patch(path, json={"quantity": 2})).json()["quantity"] == 2
        assert_all_returned(engine)


@needs_postgresql
async def test_postgresql_command_timeout_zero_is_no_limit(settings: Settings) -> None:
    settings = settings.model_copy(update={"database_command_timeout": 0})
    async with serve(settings) as (client, engine):
        async with holding(settings.database_url, "LOCK TABLE items"):
            create = asyncio.create_task(client.post("/items", json={"name": "Patient"}))
            await asyncio.sleep(0.5)
            assert not create.done()  # still waiting for the lock, not cut off
        assert (await create).status_code == 201
        assert_all_returned(engine)


ServerTimeout = Literal["statement_timeout", "lock_timeout"]
probe = APIRouter()


@probe.post("/probe/{setting}")
async def run_out_of(setting: ServerTimeout, session: DbSession) -> None:
    """Wait beyond a timeout an operator set on the server (`ALTER ROLE ... SET ...`)."""
    await session.execute(text(f"SET LOCAL {setting} = '50ms'"))
    slow = {"statement_timeout": "SELECT pg_sleep(1)", "lock_timeout": "LOCK TABLE items"}
    await session.execute(text(slow[setting]))


@needs_postgresql
@pytest.mark.parametrize("setting", ["statement_timeout", "lock_timeout"])
async def test_postgresql_statement_past_a_server_timeout(
    settings: Settings, setting: ServerTimeout
) -> None:
    async with serve(settings, Module(name="probe", routers=[probe])) as (client, engine):
        async with holding(settings.database_url, "LOCK TABLE items"):  # for lock_timeout
            assert_timed_out(await client.post(f"/probe/{setting}"), f"/probe/{setting}")
        assert (await client.post("/items", json={"name": "Next"})).status_code == 201
        assert_all_returned(engine)
{% endif %}
