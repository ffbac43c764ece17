"""The engine: one connection pool per process, built from the settings."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
{% if cookiecutter.database == "postgresql" %}
from sqlalchemy import Dialect, event
{% else %}
from sqlalchemy import event
{% endif %}
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .errors import as_unavailable
{% if cookiecutter.database == "postgresql" %}
from .pre_ping import ping_idle_connections
{% endif %}
from .settings import DatabaseSettings

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never wait for the writer
    "PRAGMA synchronous=NORMAL",  # durable with WAL, far fewer fsyncs
    "PRAGMA foreign_keys=ON",  # off by default in SQLite
)
"""Run on every new SQLite connection, with the `busy_timeout` from the settings."""


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An engine for `settings.database_url`; it connects lazily, on first use."""
    url = make_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    connect_args: dict[str, Any] = {}
{% if cookiecutter.database == "postgresql" %}
    postgresql = url.get_backend_name() == "postgresql"
    if postgresql:
        # asyncpg's timeout runs on the client: it also ends a wait for a server that went
        # silent, and cancels the statement on the server. `statement_timeout` in
        # `server_settings` would not pass PgBouncer, which refuses unknown startup parameters.
        connect_args = {
            "timeout": settings.database_connect_timeout,
            "command_timeout": settings.database_command_timeout or None,
        }
{% endif %}
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        pool_recycle=settings.database_pool_recycle,
        echo=settings.database_echo,
        connect_args=connect_args,
        async_creator=_sqlite_connector(url) if sqlite else None,
    )
    event.listen(engine.sync_engine, "handle_error", as_unavailable)
{% if cookiecutter.database == "postgresql" %}
    if postgresql:
        event.listen(engine.sync_engine, "do_connect", _connect_reporting_network_errors)
        # Only a server can drop a pooled connection; a SQLite file stays open.
        if settings.database_pool_pre_ping:
            ping_idle_connections(engine, settings.database_pool_pre_ping_idle)
{% endif %}
    if sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_tuner(settings.database_busy_timeout))
    return engine


def _sqlite_connector(url: URL) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """aiosqlite's connect as SQLAlchemy makes it, but a failed connect returns only once
    aiosqlite's thread has stopped.

    aiosqlite stops the thread of a connect that failed without waiting for it: if the event
    loop closes first (a short `asyncio.run`, such as `check`), the thread raises "Event loop
    is closed" (omnilib/aiosqlite#241).
    """
    cargs, cparams = url.get_dialect()().create_connect_args(url)

    async def connect() -> aiosqlite.Connection:
        connection = aiosqlite.connect(*cargs, **cparams)
        thread = connection._thread
        thread.daemon = True  # as SQLAlchemy sets it: an unclosed connection never holds up exit
        try:
            return await connection
        except BaseException:
            await asyncio.to_thread(thread.join)
            raise

    return connect


def _sqlite_tuner(busy_timeout: float) -> Callable[[Any, Any], None]:
    # Past the busy timeout a write fails with "database is locked", which is a 503.
    pragmas = (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={round(busy_timeout * 1000)}")

    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    return tune
{% if cookiecutter.database == "postgresql" %}


def _connect_reporting_network_errors(
    dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """Connect; a refused, unresolvable or silent server becomes the driver's OperationalError.

    asyncpg raises these as bare `OSError`/`TimeoutError`, which SQLAlchemy passes on
    without its `handle_error` hook seeing them.
    """
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, TimeoutError) as error:
        raise dialect.loaded_dbapi.OperationalError(str(error) or type(error).__name__) from error
{% endif %}
