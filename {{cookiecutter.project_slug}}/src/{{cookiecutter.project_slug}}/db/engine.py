"""The engine: one connection pool per process, built from the settings."""

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
    "PRAGMA busy_timeout=5000",  # writers queue up to 5 s instead of failing at once
    "PRAGMA foreign_keys=ON",  # off by default in SQLite
)


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An engine for `settings.database_url`; it connects lazily, on first use."""
    url = make_url(settings.database_url)
    connect_args: dict[str, Any] = {}
{% if cookiecutter.database == "postgresql" %}
    postgresql = url.get_backend_name() == "postgresql"
    if postgresql:
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
        pool_pre_ping=settings.database_pool_pre_ping,
        echo=settings.database_echo,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine, "handle_error", as_unavailable)
{% if cookiecutter.database == "postgresql" %}
    if postgresql:
        event.listen(engine.sync_engine, "do_connect", _connect_reporting_network_errors)
{% endif %}
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
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
