"""How Alembic reaches the database: the service's own settings and engine.

`alembic upgrade head` reads the URL the service reads (`DATABASE_URL` or
`{{ cookiecutter.project_slug.upper() }}_DATABASE_URL`, or `.env`), so the two cannot disagree.
A caller that already holds a connection (the tests) passes it as
`config.attributes["connection"]` instead.
"""

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from {{ cookiecutter.project_slug }}.db import Base
from {{ cookiecutter.project_slug }}.db.engine import create_engine
from {{ cookiecutter.project_slug }}.db.models import UTCDateTime

# The registry imports every module, and so every table, into Base.metadata.
from {{ cookiecutter.project_slug }}.modules import Settings


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | bool:
    """Write UTC timestamps as plain SQLAlchemy types: migrations never import the app."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


OPTIONS: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "render_as_batch": True,  # SQLite alters a table by copying it; harmless elsewhere
    "render_item": render_item,
    "compare_server_default": True,
}


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine() -> None:
    settings = Settings()
{% if cookiecutter.database == "postgresql" %}
    # An index build or a backfill may rightly outlast the limit set for requests.
    settings = settings.model_copy(update={"database_command_timeout": 0})
{% endif %}
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=Settings().database_url, literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()
elif (lent := context.config.attributes.get("connection")) is not None:
    run_migrations(lent)
else:
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    asyncio.run(run_with_own_engine())
