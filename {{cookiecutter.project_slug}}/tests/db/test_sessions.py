"""Sessions through HTTP: one transaction per request, pooled connections always returned."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, HTTPException
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.db import DbSession
from {{ cookiecutter.project_slug }}.items.sql import ItemRow
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import HEADERS, asgi_client
from support.probes import Watcher

Serve = Callable[..., AbstractAsyncContextManager[AsyncClient]]

router = APIRouter(prefix="/probe")


@router.post("/twins")
async def add_twins(session: DbSession) -> None:
    """Nothing reaches the database before the commit, which the unique name fails."""
    session.add_all([ItemRow(name="Twin"), ItemRow(name="Twin")])


@router.post("/then-fail")
async def add_then_fail(session: DbSession) -> None:
    session.add(ItemRow(name="Doomed"))
    await session.flush()
    raise HTTPException(400, "Changed my mind.")


@router.post("/nameless")
async def add_nameless(session: DbSession) -> None:
    session.add(ItemRow(name=None))


@router.get("/same-session")
async def same_session(first: DbSession, second: DbSession) -> bool:
    return first is second


PROBE = Module(name="probe", routers=[router])


@pytest.fixture
def watcher() -> Watcher:
    return Watcher()


@pytest.fixture
def serve(settings: Settings, watcher: Watcher) -> Serve:
    """`async with serve(*probes) as client`: the app, running with `probes`, its state kept
    by `watcher`."""

    @asynccontextmanager
    async def serve(
        *probes: Module, raise_app_exceptions: bool = True
    ) -> AsyncIterator[AsyncClient]:
        enabled = [*modules(settings), watcher.module(), *probes]
        async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
            transport = ASGITransport(manager.app, raise_app_exceptions=raise_app_exceptions)
            client = AsyncClient(transport=transport, base_url="http://test", headers=HEADERS)
            async with client:
                yield client

    return serve


async def test_a_failing_commit_is_the_response(serve: Serve) -> None:
    async with serve(PROBE) as client:
        response = await client.post("/probe/twins")
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get("/items")).json()["items"] == []


async def test_an_endpoint_error_rolls_back(serve: Serve) -> None:
    async with serve(PROBE) as client:
        assert (await client.post("/probe/then-fail")).status_code == 400
        assert (await client.get("/items")).json()["items"] == []
        assert (await client.post("/items", json={"name": "Doomed"})).status_code == 201


async def test_other_integrity_errors_are_500(serve: Serve) -> None:
    async with serve(PROBE, raise_app_exceptions=False) as client:
        response = await client.post("/probe/nameless")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_one_session_per_request(serve: Serve) -> None:
    async with serve(PROBE) as client:
        assert (await client.get("/probe/same-session")).json() is True


async def test_the_engine_is_disposed_when_the_app_stops(serve: Serve, watcher: Watcher) -> None:
    async with serve():
        engine = watcher.get("engine", AsyncEngine)
        pool = engine.pool
    assert engine.pool is not pool  # disposing closes the pool's connections, starts another


async def test_concurrent_requests_share_the_pool_and_return_it(
    serve: Serve, watcher: Watcher
) -> None:
    async with serve() as client:
        created = await asyncio.gather(
            *(client.post("/items", json={"name": f"Item {n}"}) for n in range(30))
        )
        assert [r.status_code for r in created] == [201] * 30
        ids = [r.json()["id"] for r in created]
        reads = await asyncio.gather(
            *(client.get(f"/items/{item_id}") for item_id in ids),
            *(client.patch(f"/items/{item_id}", json={"quantity": 7}) for item_id in ids),
            *(client.get("/items", params={"limit": 100}) for _ in range(10)),
        )
        assert {r.status_code for r in reads} == {200}
        assert len((await client.get("/items", params={"limit": 100})).json()["items"]) == 30
        pool = watcher.get("engine", AsyncEngine).pool
        assert isinstance(pool, QueuePool)
        assert pool.checkedout() == 0


async def test_waiting_too_long_for_a_connection_is_503(settings: Settings) -> None:
    tight = settings.model_copy(
        update={"database_pool_size": 1, "database_max_overflow": 0, "database_pool_timeout": 0.1}
    )
    holding, release = asyncio.Event(), asyncio.Event()
    hold = APIRouter()

    @hold.get("/hold")
    async def hold_the_only_connection(session: DbSession) -> None:
        await session.execute(text("SELECT 1"))
        holding.set()
        await release.wait()

    app = create_app(tight, enabled=[*modules(tight), Module(name="hold", routers=[hold])])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        holder = asyncio.create_task(client.get("/hold"))
        await holding.wait()
        starved = await client.get("/items")
        release.set()
        assert (await holder).status_code == 200
        assert (await client.get("/items")).status_code == 200
    assert starved.status_code == 503
    assert starved.headers["content-type"] == "application/problem+json"
