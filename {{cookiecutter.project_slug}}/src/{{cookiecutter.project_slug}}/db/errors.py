"""Database failures as HTTP problems: unreachable, too slow or not migrated is 503, a
duplicate is 409; anything else is a bug, so a 500."""

import logging
from typing import Any

from fastapi import Request
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from ..problems import ProblemResponse, problem
from .schema import MIGRATE, SchemaNotMigratedError

logger = logging.getLogger(__name__)

UNIQUE_VIOLATIONS = {
{% if cookiecutter.database == "postgresql" %}
    "23505",  # PostgreSQL unique_violation
{% endif %}
    "SQLITE_CONSTRAINT_UNIQUE",
    "SQLITE_CONSTRAINT_PRIMARYKEY",
}
{% if cookiecutter.database == "postgresql" %}

OUT_OF_TIME = {
    "57014",  # query_canceled: the server's statement_timeout, or a cancel request
    "55P03",  # lock_not_available: lock_timeout, or NOWAIT
}
"""PostgreSQL errors of a statement that ran out of time (when timeouts are set on the server)."""

UNDEFINED = {
    "42P01",  # undefined_table
    "42703",  # undefined_column
}
"""PostgreSQL errors of a statement naming what the schema lacks."""
{% endif %}

SQLITE_UNDEFINED = ("no such table", "no such column")

SQLITE_BUSY = "SQLITE_BUSY"
"""SQLite's error, extended codes included, of a write that waited past the busy timeout."""

RETRY_AFTER = {"Retry-After": "5"}
"""Sent with every 503: seconds a client should wait before it tries again."""


class DatabaseUnavailableError(Exception):
    """The database cannot be reached, dropped the connection, or did not answer in time."""


def as_unavailable(context: ExceptionContext) -> Exception | None:
    """`handle_error` hook: turn every kind of "the database is not there" into one error,
    and a missing table or column into another; leave every other error alone.

    Failing to connect, a dropped connection, a statement timeout, SQLite's "database is
    locked" all arrive as different exceptions; handlers can rely on this one type. Other
    errors of the same DB-API class (SQLite's `OperationalError` also means a syntax error)
    are bugs, not outages.
    """
    error = context.original_exception
    if is_undefined(error):
        return SchemaNotMigratedError(str(error))
    if is_unavailable(context):
        return DatabaseUnavailableError(str(error) or type(error).__name__)
    return None


def is_unavailable(context: ExceptionContext) -> bool:
    """Whether the connection failed, rather than the statement: connecting failed (refused,
    unresolvable, silent), the driver found the connection lost, or time ran out."""
    error = context.original_exception
    return (
        context.connection is None  # connecting
        or context.is_disconnect  # the pool invalidates the connection
        or isinstance(error, OSError | TimeoutError)
{% if cookiecutter.database == "postgresql" %}
        or getattr(error, "sqlstate", None) in OUT_OF_TIME
{% endif %}
        or str(getattr(error, "sqlite_errorname", "")).startswith(SQLITE_BUSY)
    )


def is_undefined(error: BaseException) -> bool:
    """Whether a table or column the statement names does not exist: the code is ahead of
    the schema. (A misspelt name in hand-written SQL looks the same; the log shows which.)"""
{% if cookiecutter.database == "postgresql" %}
    if getattr(error, "sqlstate", None) in UNDEFINED:
        return True
{% endif %}
    return getattr(error, "sqlite_errorname", None) == "SQLITE_ERROR" and str(error).startswith(
        SQLITE_UNDEFINED
    )


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique (or primary key) constraint failed, whatever the driver."""
    driver_error = error.orig
    code: Any = getattr(driver_error, "sqlstate", None) or getattr(
        driver_error, "sqlite_errorname", None
    )
    return code in UNIQUE_VIOLATIONS


async def unavailable(request: Request, exc: Exception) -> ProblemResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    detail = "The database is unavailable; try again shortly."
    return problem(503, detail, instance=request.url.path, headers=RETRY_AFTER)


async def not_migrated(request: Request, exc: Exception) -> ProblemResponse:
    """Not an outage: the service stays unusable until someone migrates the database."""
    logger.warning("database not migrated on %s %s: %s", request.method, request.url.path, exc)
    detail = f"The database schema is missing or out of date; {MIGRATE}."
    return problem(503, detail, instance=request.url.path, headers=RETRY_AFTER)


async def conflict(request: Request, exc: Exception) -> ProblemResponse:
    """A unique constraint is 409; any other integrity error is a bug, so a 500."""
    assert isinstance(exc, IntegrityError)  # noqa: S101 - registered for this type only
    if not is_unique_violation(exc):
        raise exc
    return problem(409, "The request conflicts with existing data.", instance=request.url.path)


EXCEPTION_HANDLERS = {
    DatabaseUnavailableError: unavailable,
    SchemaNotMigratedError: not_migrated,
    PoolTimeoutError: unavailable,
    IntegrityError: conflict,
}
