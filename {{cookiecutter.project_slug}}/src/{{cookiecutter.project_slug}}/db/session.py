"""One engine per running app; one session, in one transaction, per request."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, TypedDict

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..module import Module, ReadinessCheck, Resources
from .engine import create_engine
from .errors import EXCEPTION_HANDLERS
from .schema import (
    Migrations,
    MigrationsUnreadableError,
    SchemaNotMigratedError,
    current_revisions,
)
from .settings import DatabaseSettings

logger = logging.getLogger(__name__)

START_CHECK_TIMEOUT = 2.0
"""Seconds start-up waits to tell whether the schema is migrated; a silent database
must not hold up the start (readiness keeps checking)."""


class DatabaseState(TypedDict):
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


def database_module(settings: DatabaseSettings) -> Module:
    return Module(
        name="database",
        lifespan=lambda _app, _state: open_database(settings),
        exception_handlers=EXCEPTION_HANDLERS,
    )


@asynccontextmanager
async def open_database(settings: DatabaseSettings) -> AsyncIterator[Resources]:
    """The engine, from start-up to shutdown, and the checks that it is usable."""
    engine = create_engine(settings)
    # aiosqlite cannot cancel a connect half-way, and the engine's connect waits for its
    # thread: a check given up on runs to its end aside, so readiness still answers on time.
    ends = RunToEnd() if engine.dialect.name == "sqlite" else None
    try:
        checks: dict[str, ReadinessCheck] = {"database": partial(ping, engine)}
        if settings.database_alembic_config:
            migrations = await _read_migrations(settings.database_alembic_config)
            checks["database.schema"] = partial(check_schema, engine, migrations)
        if ends:
            checks = {name: ends.wrap(check) for name, check in checks.items()}
        if "database.schema" in checks:
            await _report_schema(checks["database.schema"])
        # Not expiring on commit keeps loaded rows readable after the commit,
        # where reading an expired attribute would need an implicit (blocking) load.
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        yield Resources(DatabaseState(engine=engine, sessionmaker=sessionmaker), checks)
    finally:
        if ends:
            await ends.finish()
        await engine.dispose()


class RunToEnd:
    """Checks that, once started, run to their end even when their caller stops waiting."""

    def __init__(self) -> None:
        self.running: set[asyncio.Future[None]] = set()

    def wrap(self, check: ReadinessCheck) -> ReadinessCheck:
        async def run_to_end() -> None:
            task = asyncio.ensure_future(check())
            self.running.add(task)
            task.add_done_callback(self.running.discard)
            await asyncio.shield(task)

        return run_to_end

    async def finish(self) -> None:
        """Wait for the checks still running (their callers already have their answer)."""
        await asyncio.gather(*self.running, return_exceptions=True)


async def ping(engine: AsyncEngine) -> None:
    """Readiness: one round trip, bounded by the readiness timeout."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def check_schema(engine: AsyncEngine, migrations: Migrations | str) -> None:
    """Readiness: the database is at the head of `migrations` (or why they were not read)."""
    if isinstance(migrations, str):
        raise MigrationsUnreadableError(migrations)
    async with engine.connect() as connection:
        current = await connection.run_sync(current_revisions)
    migrations.verify(current)


async def _read_migrations(config_file: str) -> Migrations | str:
    """The migrations, or why they could not be read (logged once, here)."""
    try:
        return await asyncio.to_thread(Migrations.read, config_file)
    except MigrationsUnreadableError as error:
        logger.error("database schema not checked: %s", error)
        return str(error)


async def _report_schema(check: ReadinessCheck) -> None:
    """Say once, at start-up, what to run when the schema is behind."""
    try:
        async with asyncio.timeout(START_CHECK_TIMEOUT):
            await check()
    except SchemaNotMigratedError as error:
        logger.error("database schema is %s", error)
    except Exception as error:  # e.g. unreachable: readiness names it, and keeps checking
        logger.warning("database schema not checked at start-up: %r", error)


async def transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, committed when the endpoint returns, before the
    response is sent (so a failed commit is the response), or rolled back if it raises."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.state.sessionmaker
    async with sessionmaker.begin() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(transaction, scope="function")]
"""The request's session; every use within one request shares it (and its transaction)."""
