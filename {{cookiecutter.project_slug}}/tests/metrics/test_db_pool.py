"""The database pool in `/metrics`, read as Prometheus scrapes."""

import asyncio

from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy import text

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.db import DbSession
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import asgi_client
from support.metrics import value


async def test_connections_in_use_are_seen_while_held(settings: Settings) -> None:
    held, release = asyncio.Event(), asyncio.Event()
    probe = APIRouter()

    @probe.get("/hold")
    async def hold(session: DbSession) -> None:
        await session.execute(text("SELECT 1"))
        held.set()
        await release.wait()

    app = create_app(settings, enabled=[*modules(settings), Module("probe", routers=[probe])])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        assert await value(client, "db_pool_connections_in_use") == 0
        request = asyncio.create_task(client.get("/hold"))
        await held.wait()
        assert await value(client, "db_pool_connections_in_use") == 1
        assert await value(client, "db_pool_overflow") == 0
        release.set()
        assert (await request).status_code == 200
        assert await value(client, "db_pool_connections_in_use") == 0
