"""The engine: one connection pool per process, built from the settings."""

from collections.abc import Callable
from typing import Any

{% if cookiecutter.database == "postgresql" %}
from sqlalchemy import Dialect, event
{% else %}
from sqlalchemy import event
{% endif %}
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .errors import as_unavailable
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
            "command_timeout": settings.database_command_timeout,
        }
{% endif %}
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        pool_recycle=settings.database_pool_recycle,
        # A SQLite connection is an open file: no server can have dropped it, and a ping
        # would cost each request one more trip to aiosqlite's thread.
        pool_pre_ping=settings.database_pool_pre_ping and not sqlite,
        echo=settings.database_echo,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine, "handle_error", as_unavailable)
{% if cookiecutter.database == "postgresql" %}
    if postgresql:
        event.listen(engine.sync_engine, "do_connect", _connect_reporting_network_errors)
        _report_ping_timeouts(engine.dialect)
{% endif %}
    if sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_tuner(settings.database_busy_timeout))
    return engine


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


def _report_ping_timeouts(dialect: Dialect) -> None:
    """Make a pre-ping that gets no answer within `command_timeout` the driver's OperationalError.

    asyncpg raises a bare `TimeoutError` there too, and SQLAlchemy has no event around the
    ping: the error would leave the pool unwrapped and end the request as a 500. As a
    driver error it goes through `handle_error` like a failed connect: the pool drops the
    connection and the request gets 503.
    """
    ping = dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        try:
            return ping(dbapi_connection)
        except TimeoutError as error:
            raise dialect.loaded_dbapi.OperationalError("no answer to the ping") from error

    dialect.do_ping = do_ping  # type: ignore[method-assign]
{% endif %}
