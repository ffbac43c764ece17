"""Outages: 503 problem and not ready while the database is gone or silent; back by itself after."""

{% if cookiecutter.database == "postgresql" %}
import asyncio
import contextlib
import os
{% endif %}
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

{% if cookiecutter.database == "postgresql" %}
import pytest
{% endif %}
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient, Response
{% if cookiecutter.database == "postgresql" %}
from sqlalchemy import make_url
{% endif %}
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.db import Base
from {{ cookiecutter.project_slug }}.modules import Settings


@asynccontextmanager
async def serve(database_url: str, **settings_: Any) -> AsyncIterator[AsyncClient]:
    settings = Settings(environment="test", database_url=database_url, _env_file=None, **settings_)
    async with (
        LifespanManager(create_app(settings)) as manager,
        AsyncClient(transport=ASGITransport(manager.app), base_url="http://test") as client,
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
    assert set(ready.json()["checks"]) == {"database"}


async def assert_up(client: AsyncClient, name: str) -> None:
    assert (await client.post("/items", json={"name": name})).status_code == 201
    assert (await client.get("/health/ready")).status_code == 200


async def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    directory = tmp_path / "volume"  # a volume that is not mounted yet
    url = f"sqlite+aiosqlite:///{directory / 'service.sqlite3'}"
    async with serve(url) as client:
        await assert_down(client)
        directory.mkdir()
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await engine.dispose()
        await assert_up(client, "Found")
{% if cookiecutter.database == "postgresql" %}


class Link:
    """A TCP relay to the database server that can be cut and restored like a network."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._streams: list[asyncio.StreamWriter] = []
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and break the open ones, as a crashed server would."""
        assert self._server is not None
        self._server.close()
        for stream in self._streams:
            stream.transport.abort()
        await self._server.wait_closed()

    def freeze(self) -> None:
        """Keep connections open but deliver nothing, as an overloaded or partitioned server."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._streams += [writer, upstream_writer]
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.close()


needs_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: set TEST_DATABASE_URL"
)


@asynccontextmanager
async def relayed(database_url: str) -> AsyncIterator[tuple[Link, str]]:
    """A link to the server of `database_url`, and the URL that goes through it."""
    url = make_url(database_url)
    link = Link(url.host or "127.0.0.1", url.port or 5432)
    await link.restore()
    try:
        yield link, url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    finally:
        await link.cut()


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
        relayed(database_url) as (link, url),
        serve(url, database_pool_pre_ping_idle=pre_ping_idle) as client,
    ):
        await assert_up(client, "Before")  # the pool now holds a connection the cut breaks
        await link.cut()
        await assert_down(client)
        await link.restore()
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
    async with relayed(database_url) as (link, url), serve(url, **settings) as client:
        await assert_up(client, "Before")  # the pool now holds a connection that goes silent
        link.freeze()
        await assert_down(client)  # in time: each request waits for one timeout, not forever
        link.thaw()
        await assert_up(client, "After")


@needs_postgresql
async def test_a_connection_dropped_while_unused_is_replaced_unseen(database_url: str) -> None:
    async with (
        relayed(database_url) as (link, url),
        serve(url, database_pool_pre_ping_idle=0.05) as client,
    ):
        await assert_up(client, "Before")
        await link.cut()  # a restart while the service is quiet drops the pooled connection
        await link.restore()
        await asyncio.sleep(0.1)
        await assert_up(client, "After")  # found by the test before use: no request fails


@needs_postgresql
async def test_a_connection_used_a_moment_ago_is_trusted(database_url: str) -> None:
    """Not tested within the idle window: the one request on it fails, the next gets a new one."""
    async with (
        relayed(database_url) as (link, url),
        serve(url, database_pool_pre_ping_idle=60) as client,
    ):
        await assert_up(client, "Before")
        await link.cut()
        await link.restore()
        assert_unavailable(await client.get("/items"))
        await assert_up(client, "After")
{% endif %}
