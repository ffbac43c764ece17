"""Outages: 503 problem and not ready while the database is gone or silent; back by itself after."""

{% if cookiecutter.database == "postgresql" %}
import asyncio
{% endif %}
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

{% if cookiecutter.database == "postgresql" %}
import pytest
{% endif %}
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from httpx import AsyncClient, Response
{% if cookiecutter.database == "postgresql" %}
from sqlalchemy import make_url, text
{% else %}
from sqlalchemy import text
{% endif %}

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.db import DbSession
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

{% if cookiecutter.database == "postgresql" %}
from conftest import ALEMBIC_INI, needs_postgresql, upgrade
from support.callers import asgi_client
from support.relay import Relay
{% else %}
from conftest import ALEMBIC_INI, upgrade
from support.callers import asgi_client
{% endif %}

probe = APIRouter()


@probe.get("/probe/typo")
async def typo(session: DbSession) -> None:
    """A statement the database refuses to parse: a bug, whatever the driver calls it."""
    await session.execute(text("SELEC 1"))


@asynccontextmanager
async def serve(database_url: str, **settings_: Any) -> AsyncIterator[AsyncClient]:
    settings = Settings(
        environment="test",
        database_url=database_url,
        database_alembic_config=str(ALEMBIC_INI),
        _env_file=None,
        **settings_,
    )
    enabled = [*modules(settings), Module(name="probe", routers=[probe])]
    async with (
        LifespanManager(create_app(settings, enabled=enabled)) as manager,
        asgi_client(manager.app) as client,
    ):
        yield client


def assert_unavailable(response: Response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


async def assert_down(client: AsyncClient) -> None:
    assert_unavailable(await client.get("/items"))
    assert_unavailable(await client.post("/items", json={"name": "Lost"}))
    ready = await client.get("/health/ready")
    assert_unavailable(ready)
    assert set(ready.json()["checks"]) == {"database", "database.schema"}  # both need the server


async def assert_up(client: AsyncClient, name: str) -> None:
    assert (await client.post("/items", json={"name": name})).status_code == 201
    assert (await client.get("/health/ready")).status_code == 200


async def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    directory = tmp_path / "volume"  # a volume that is not mounted yet
    url = f"sqlite+aiosqlite:///{directory / 'service.sqlite3'}"
    async with serve(url) as client:
        await assert_down(client)
        directory.mkdir()
        await upgrade(url)
        await assert_up(client, "Found")


async def test_a_failing_statement_is_a_bug_not_an_outage(database_url: str) -> None:
    """SQLite reports a syntax error as an `OperationalError`, as it does a locked database:
    only the connection's failures are 503s."""
    async with serve(database_url) as client:
        response = await client.get("/probe/typo")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "The server failed to handle this request."
        await assert_up(client, "Still")
{% if cookiecutter.database == "postgresql" %}


@asynccontextmanager
async def relayed(database_url: str) -> AsyncIterator[tuple[Relay, str]]:
    """A relay to the server of `database_url`, and the URL that goes through it."""
    url = make_url(database_url)
    async with Relay(url.host or "127.0.0.1", url.port or 5432) as relay:
        through = url.set(host="127.0.0.1", port=relay.port)
        yield relay, through.render_as_string(hide_password=False)


async def assert_back_soon(client: AsyncClient, name: str, tries: int = 50) -> None:
    """Back by itself; a busy machine may need a request or two over timeouts this short."""
    statuses = []
    for _ in range(tries):
        statuses.append((await client.post("/items", json={"name": name})).status_code)
        if statuses[-1] == 201:
            break
        await asyncio.sleep(0.1)
    assert statuses[-1] == 201, statuses
    assert (await client.get("/health/ready")).status_code == 200


PRE_PING = pytest.mark.parametrize(
    "pre_ping_idle",
    [0.0, 60.0],
    ids=["connection tested before use", "connection used a moment ago, not tested"],
)


@needs_postgresql
@PRE_PING
async def test_postgresql_server_that_goes_away_and_comes_back(
    database_url: str, pre_ping_idle: float
) -> None:
    async with (
        relayed(database_url) as (relay, url),
        serve(url, database_pool_pre_ping_idle=pre_ping_idle) as client,
    ):
        await assert_up(client, "Before")  # the pool now holds a connection the cut breaks
        await relay.cut()
        await assert_down(client)
        await relay.restore()
        await assert_up(client, "After")


@needs_postgresql
@PRE_PING
async def test_postgresql_server_that_stops_answering_and_answers_again(
    database_url: str, pre_ping_idle: float
) -> None:
    settings = {
        "database_command_timeout": 0.3,
        "database_connect_timeout": 0.3,
        "database_pool_pre_ping_idle": pre_ping_idle,
    }
    async with relayed(database_url) as (relay, url), serve(url, **settings) as client:
        await assert_up(client, "Before")  # the pool now holds a connection that goes silent
        relay.freeze()
        await assert_down(client)  # in time: each request waits for one timeout, not forever
        relay.thaw()
        await assert_back_soon(client, "After")


@needs_postgresql
async def test_a_connection_dropped_while_unused_is_replaced_unseen(database_url: str) -> None:
    async with (
        relayed(database_url) as (relay, url),
        serve(url, database_pool_pre_ping_idle=0.05) as client,
    ):
        await assert_up(client, "Before")
        await relay.cut()  # a restart while the service is quiet drops the pooled connection
        await relay.restore()
        await asyncio.sleep(0.1)
        await assert_up(client, "After")  # found by the test before use: no request fails


@needs_postgresql
async def test_a_connection_used_a_moment_ago_is_trusted(database_url: str) -> None:
    """Not tested within the idle window: the one request on it fails, the next gets a new one."""
    async with (
        relayed(database_url) as (relay, url),
        serve(url, database_pool_pre_ping_idle=60) as client,
    ):
        await assert_up(client, "Before")
        await relay.cut()
        await relay.restore()
        assert_unavailable(await client.get("/items"))
        await assert_up(client, "After")
{% endif %}
