"""Where the database is and how many connections the service may hold to it."""

from pydantic import AliasChoices, Field, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

{% if cookiecutter.database == "postgresql" %}
from ..settings import ENV_PREFIX, BaseServiceSettings, variable
{% else %}
from ..settings import ENV_PREFIX, BaseServiceSettings
{% endif %}

{% if cookiecutter.database == "postgresql" %}
ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
{% else %}
ASYNC_DRIVERS = {"sqlite": "aiosqlite"}
{% endif %}
"""The driver of each supported database; the service talks to it through asyncio only."""


class DatabaseSettings(BaseServiceSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///./{{ cookiecutter.project_slug }}.sqlite3",
        validation_alias=AliasChoices(ENV_PREFIX + "DATABASE_URL", "DATABASE_URL"),
        repr=False,
{% if cookiecutter.database == "postgresql" %}
        description=(
            "postgresql+asyncpg://user:password@host:5432/name in production; "
            "the default, a SQLite file in the working directory, suits development."
        ),
{% else %}
        description="sqlite+aiosqlite:///path/to/file.sqlite3, relative to the working directory.",
{% endif %}
    )
    database_pool_size: int = Field(
        default=5, ge=1, description="Connections kept open per process."
    )
    database_max_overflow: int = Field(
        default=10, ge=0, description="Extra connections opened under load, closed when returned."
    )
    database_pool_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a request waits for a free connection before it gets 503.",
    )
    database_pool_recycle: int = Field(
        default=1800,
        ge=-1,
        description="Replace connections older than this many seconds (-1: never).",
    )
{% if cookiecutter.database == "postgresql" %}
    database_pool_pre_ping: bool = Field(
        default=True,
        description="Test connections as they leave the pool; replace ones the server dropped.",
    )
    database_pool_pre_ping_idle: float = Field(
        default=1.0,
        ge=0,
        description=(
            "Test only a connection unused for at least this many seconds (0: test every "
            "time); one in use a moment ago is alive, and testing costs three round trips."
        ),
    )
    database_connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to open a PostgreSQL connection."
    )
    database_command_timeout: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Seconds one PostgreSQL statement may run, lock waits included, before it is "
            "cancelled and the request gets 503; 0: no limit."
        ),
    )
{% endif %}
    database_busy_timeout: float = Field(
        default=5.0,
        ge=0,
        description="Seconds a SQLite write waits for another writer to finish before it gets 503.",
    )
    database_echo: bool = Field(default=False, description="Log every SQL statement.")
    database_alembic_config: str = Field(
        default="alembic.ini",
        description=(
            "Alembic config of the migrations whose head readiness expects the schema at, "
            "relative to the working directory as for `alembic`; empty: no schema check."
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _use_async_driver(cls, value: str) -> str:
{% if cookiecutter.database == "postgresql" %}
        """Rewrite `postgresql://` (and `postgres://`) to asyncpg and `sqlite://` to aiosqlite.

        Hosting platforms hand out the bare scheme; a synchronous driver named
        explicitly would block the event loop, so it is an error.
        """
{% else %}
        """Rewrite `sqlite://` to aiosqlite; a synchronous driver named explicitly would
        block the event loop, and other databases have no driver here: both are errors."""
{% endif %}
        try:
            url = make_url(value)
        except ArgumentError as error:
            raise ValueError(str(error)) from None
        backend = url.get_backend_name()
{% if cookiecutter.database == "postgresql" %}
        backend = "postgresql" if backend == "postgres" else backend
{% endif %}
        driver = ASYNC_DRIVERS.get(backend)
        if driver is None:
            supported = ", ".join(f"{name}+{drv}://" for name, drv in ASYNC_DRIVERS.items())
            raise ValueError(f"unsupported database {backend!r}; use {supported}")
        if "+" in url.drivername and url.get_driver_name() != driver:
            raise ValueError(f"use the asyncio driver: {backend}+{driver}://")
        if backend == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("SQLite in memory lives in one connection; give a file path")
        return url.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)
{% if cookiecutter.database == "postgresql" %}

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if make_url(self.database_url).get_backend_name() == "sqlite":
            problems.append(
                f"{variable('database_url')} points at a SQLite file: set the PostgreSQL "
                "server's URL, postgresql+asyncpg://user:password@host:5432/name"
            )
        return problems
{% endif %}
