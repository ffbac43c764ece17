"""Is the database at the head of the project's migrations?

A service started on a database nobody migrated would fail every query on a missing table
and look like a database outage; readiness names the problem instead, and says what to run.
"""

from collections.abc import Collection
from pathlib import Path
from typing import Self

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from ..settings import ENV_PREFIX

MIGRATE = "run the migrations: `alembic upgrade head` (`make migrate`)"


class SchemaNotMigratedError(Exception):
    """The database lacks what the code expects: its migrations have not all run."""


class MigrationsUnreadableError(Exception):
    """The migration scripts could not be read, so the schema cannot be checked."""


class Migrations:
    """The revisions of the project's migration scripts, read once at start-up."""

    def __init__(self, heads: Collection[str], known: Collection[str]) -> None:
        self.heads = frozenset(heads)
        self.known = frozenset(known)

    @classmethod
    def read(cls, config_file: str) -> Self:
        """The scripts an Alembic config points to (blocking: it reads and imports files)."""
        where = Path(config_file).resolve()
        if not where.is_file():
            raise MigrationsUnreadableError(
                f"no Alembic config at {where}; run the service where alembic.ini is, "
                f"or set {ENV_PREFIX}DATABASE_ALEMBIC_CONFIG"
            )
        try:
            scripts = ScriptDirectory.from_config(Config(where))
            revisions = [script.revision for script in scripts.walk_revisions()]
            return cls(scripts.get_heads(), revisions)
        except Exception as error:  # a broken script: whatever it raises
            raise MigrationsUnreadableError(
                f"cannot read the migrations of {where}: {error!r}"
            ) from error

    def verify(self, current: Collection[str]) -> None:
        """Raise unless the database's revisions (`current`) are the heads, or beyond them.

        A revision these scripts do not know comes from a newer release that migrated
        first, as in a rolling deploy; the release before keeps serving meanwhile.
        """
        if current and not set(current) <= self.known:
            return
        if set(current) != self.heads:
            found = ", ".join(sorted(current)) or "none"
            expected = ", ".join(sorted(self.heads))
            raise SchemaNotMigratedError(
                f"not at the migrations' head (found {found}, expected {expected}); {MIGRATE}"
            )


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """What `alembic_version` holds; empty when the table is missing or empty."""
    return MigrationContext.configure(connection).get_current_heads()
