"""Database settings: one URL from the environment, always with an asyncio driver."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text
{% if cookiecutter.database == "postgresql" %}
from sqlalchemy.engine.interfaces import DBAPIConnection
{% endif %}

from {{ cookiecutter.project_slug }}.db import DatabaseSettings
from {{ cookiecutter.project_slug }}.db.engine import create_engine


def test_defaults_to_a_sqlite_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("{{ cookiecutter.project_slug.upper() }}_DATABASE_URL", raising=False)
    settings = DatabaseSettings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./{{ cookiecutter.project_slug }}.sqlite3"


def test_the_prefixed_variable_wins_over_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///plain.sqlite3")
    assert DatabaseSettings(_env_file=None).database_url.endswith("/plain.sqlite3")
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_DATABASE_URL", "sqlite:///prefixed.sqlite3")
    assert DatabaseSettings(_env_file=None).database_url.endswith("/prefixed.sqlite3")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///data/app.sqlite3", "sqlite+aiosqlite:///data/app.sqlite3"),
{% if cookiecutter.database == "postgresql" %}
        ("postgresql://u:p%40ss@db:5432/app", "postgresql+asyncpg://u:p%40ss@db:5432/app"),
        ("postgres://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
{% endif %}
    ],
)
def test_bare_schemes_get_the_asyncio_driver(given: str, used: str) -> None:
    assert DatabaseSettings(database_url=given, _env_file=None).database_url == used


@pytest.mark.parametrize(
    ("url", "reason"),
    [
{% if cookiecutter.database == "postgresql" %}
        ("postgresql+psycopg2://u@db/app", "use the asyncio driver: postgresql+asyncpg://"),
{% else %}
        ("postgresql://u@db/app", "unsupported database 'postgresql'"),
{% endif %}
        ("sqlite+pysqlite:///app.sqlite3", "use the asyncio driver: sqlite+aiosqlite://"),
        ("mysql://u@db/app", "unsupported database 'mysql'"),
        ("sqlite+aiosqlite://", "SQLite in memory"),
        ("not a url", "Could not parse"),
    ],
)
def test_unusable_urls_are_rejected_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(reason)):
        DatabaseSettings(database_url=url, _env_file=None)


{% if cookiecutter.database == "postgresql" %}
def test_the_password_stays_out_of_the_repr() -> None:
    settings = DatabaseSettings(database_url="postgresql://u:secret@db/app", _env_file=None)
    assert "secret" not in repr(settings)


{% endif %}
async def test_sqlite_is_tuned_for_a_server(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tuned.sqlite3'}"
    engine = create_engine(DatabaseSettings(database_url=url, _env_file=None))
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    finally:
        await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "foreign_keys": 1,
        "synchronous": 1,
    }
{% if cookiecutter.database == "postgresql" %}


@pytest.mark.parametrize(("idle", "tested"), [(0.0, 2), (60.0, 0)])
async def test_only_connections_unused_for_a_while_are_tested(
    database_url: str, idle: float, tested: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = DatabaseSettings(
        database_url=database_url, database_pool_pre_ping_idle=idle, _env_file=None
    )
    engine = create_engine(settings)
    pings: list[DBAPIConnection] = []
    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: DBAPIConnection) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    try:
        for _ in range(3):  # one new connection, then the same one twice more
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    server = engine.dialect.name == "postgresql"  # a SQLite file is never tested
    assert len(pings) == (tested if server else 0)
{% endif %}
