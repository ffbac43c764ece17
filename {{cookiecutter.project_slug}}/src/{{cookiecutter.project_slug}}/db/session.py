"""One engine per running app; one session, in one transaction, per request."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..module import Module, ReadinessCheck, State
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


class Database:
    """Owns the engine: created when the app starts, disposed when it stops."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self._engine: AsyncEngine | None = None
        self._migrations: Migrations | None = None
        self._unreadable = "the migrations were not read"

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the database is open only while the app's lifespan runs")
        return self._engine

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[State]:
        self._engine = create_engine(self.settings)
        try:
            if self.settings.database_alembic_config:
                await self._read_migrations(self.settings.database_alembic_config)
                await self._report_schema()
            # Not expiring on commit keeps loaded rows readable after the commit,
            # where reading an expired attribute would need an implicit (blocking) load.
            yield {"sessionmaker": async_sessionmaker(self._engine, expire_on_commit=False)}
        finally:
            await self._engine.dispose()
            self._engine = None

    async def ping(self) -> None:
        """Readiness: one round trip, bounded by the readiness timeout."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def check_schema(self) -> None:
        """Readiness: the database is at the head of the migrations read at start-up."""
        engine = self.engine
        if self._migrations is None:
            raise MigrationsUnreadableError(self._unreadable)
        async with engine.connect() as connection:
            current = await connection.run_sync(current_revisions)
        self._migrations.verify(current)

    async def _read_migrations(self, config_file: str) -> None:
        try:
            self._migrations = await asyncio.to_thread(Migrations.read, config_file)
        except MigrationsUnreadableError as error:
            self._unreadable = str(error)
            logger.error("database schema not checked: %s", error)

    async def _report_schema(self) -> None:
        """Say once, at start-up, what to run when the schema is behind."""
        try:
            async with asyncio.timeout(START_CHECK_TIMEOUT):
                await self.check_schema()
        except SchemaNotMigratedError as error:
            logger.error("database schema is %s", error)
        except Exception as error:  # e.g. unreachable: readiness names it, and keeps checking
            logger.warning("database schema not checked at start-up: %r", error)

    def module(self) -> Module:
        checks: dict[str, ReadinessCheck] = {"database": self.ping}
        if self.settings.database_alembic_config:
            checks["database.schema"] = self.check_schema
        return Module(
            name="database",
            lifespan=self.lifespan,
            checks=checks,
            exception_handlers=EXCEPTION_HANDLERS,
        )


async def transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, committed when the endpoint returns, before the
    response is sent (so a failed commit is the response), or rolled back if it raises."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.state.sessionmaker
    async with sessionmaker.begin() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(transaction, scope="function")]
"""The request's session; every use within one request shares it (and its transaction)."""
