"""The schema check: a database nobody migrated is named by readiness, not taken for an outage."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.db.schema import (
    Migrations,
    MigrationsUnreadableError,
    SchemaNotMigratedError,
)
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

from conftest import upgrade
from support.callers import asgi_client
from support.service import Service

HINT = "run the migrations: `alembic upgrade head` (`make migrate`)"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with (
        LifespanManager(create_app(settings)) as manager,
        asgi_client(manager.app) as client,
    ):
        yield client


@pytest.mark.process
async def test_a_service_started_before_the_migrations(
    services: Callable[..., Service], empty_database_url: str
) -> None:
    service = services(DATABASE_URL=empty_database_url)
    await service.started()
    async with service.client() as client:
        ready = await client.get("/health/ready")
        items = await client.get("/items")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {
            "database.schema": "SchemaNotMigratedError: not at the migrations' head "
            f"(found none, expected 0001); {HINT}"
        }
        assert items.status_code == 503
        assert items.headers["content-type"] == "application/problem+json"
        assert items.headers["retry-after"] == "5"
        detail = items.json()["detail"]
        assert detail == f"The database schema is missing or out of date; {HINT}."

        await upgrade(empty_database_url)  # no restart needed
        assert (await client.get("/health/ready")).status_code == 200
        assert (await client.post("/items", json={"name": "Migrated"})).status_code == 201
    await service.terminate()
    output = service.output()
    assert output.count("database schema is not at the migrations' head") == 1  # at start-up


async def test_a_newer_schema_is_ready(settings: Settings, empty_database_url: str) -> None:
    """A later release migrated first (a rolling deploy): this one keeps serving."""
    await upgrade(empty_database_url)
    engine = create_async_engine(empty_database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    finally:
        await engine.dispose()
    async with serve(settings.model_copy(update={"database_url": empty_database_url})) as client:
        assert (await client.get("/health/ready")).status_code == 200


def test_verify_names_what_the_database_is_at() -> None:
    migrations = Migrations(heads=["0002"], known=["0001", "0002"])
    migrations.verify(["0002"])
    migrations.verify(["0003"])  # unknown here: from a newer release
    with pytest.raises(SchemaNotMigratedError, match=r"found none, expected 0002\)"):
        migrations.verify([])
    with pytest.raises(SchemaNotMigratedError, match=r"found 0001, expected 0002\)"):
        migrations.verify(["0001"])


async def test_migrations_that_cannot_be_read_fail_the_check(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "alembic.ini"
    misplaced = settings.model_copy(update={"database_alembic_config": str(missing)})
    async with serve(misplaced) as client:
        checks = (await client.get("/health/ready")).json()["checks"]
    assert checks == {
        "database.schema": f"MigrationsUnreadableError: no Alembic config at {missing}; "
        f"run the service where alembic.ini is, or set {ENV_PREFIX}DATABASE_ALEMBIC_CONFIG"
    }
    assert f"database schema not checked: no Alembic config at {missing}" in caplog.text


def test_a_broken_migrations_directory_is_named(tmp_path: Path) -> None:
    config = tmp_path / "alembic.ini"
    config.write_text("[alembic]\nscript_location = %(here)s/missing\n")
    with pytest.raises(MigrationsUnreadableError, match=f"cannot read the migrations of {config}"):
        Migrations.read(str(config))


async def test_without_the_schema_check_a_missing_table_is_still_named(
    settings: Settings, empty_database_url: str
) -> None:
    unchecked = settings.model_copy(
        update={"database_url": empty_database_url, "database_alembic_config": ""}
    )
    async with serve(unchecked) as client:
        assert (await client.get("/health/ready")).status_code == 200
        items = await client.get("/items")
    assert items.status_code == 503
    assert items.json()["detail"] == f"The database schema is missing or out of date; {HINT}."
