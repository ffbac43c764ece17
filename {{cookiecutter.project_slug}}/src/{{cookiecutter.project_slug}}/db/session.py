"""One engine per running app; one session, in one transaction, per request."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..module import Module, State
from .engine import create_engine
from .errors import EXCEPTION_HANDLERS
from .settings import DatabaseSettings


class Database:
    """Owns the engine: created when the app starts, disposed when it stops."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the database is open only while the app's lifespan runs")
        return self._engine

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[State]:
        self._engine = create_engine(self.settings)
        try:
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

    def module(self) -> Module:
        return Module(
            name="database",
            lifespan=self.lifespan,
            checks={"database": self.ping},
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
