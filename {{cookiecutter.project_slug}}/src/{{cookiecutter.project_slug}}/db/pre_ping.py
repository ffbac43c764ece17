"""Pre-ping: test a pooled connection before use, unless it was in use a moment ago.

SQLAlchemy's own `pool_pre_ping` tests every checkout. With asyncpg the test is three
round trips (BEGIN, an empty statement, ROLLBACK: a bare statement would not pass PgBouncer
in transaction mode), more than a request that reads one row needs for itself. A connection
given back less than `idle` seconds ago is taken as alive, as HikariCP does (its window is
0.5 s): the test runs when the pool has been quiet, which is when a server restart or an idle
timeout can have dropped connections unseen. A server that dies under load breaks the
connections in use instead; the first of them to fail invalidates the pool (SQLAlchemy does
that on any disconnect), so no more than the requests already on their way get 503.
"""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine

RETURNED_AT = "returned_at"
"""Key in a connection's `info`: when it was last given back. SQLAlchemy clears `info`
whenever it opens a new connection, so a connection without it has just been opened."""


def ping_idle_connections(engine: AsyncEngine, idle: float) -> None:
    """Test each connection that sat in the pool for `idle` seconds or more as it leaves it.

    A connection that fails the test, or gets no answer within the command timeout, means
    the server went away: every connection opened before it is replaced, and the request
    gets a new one (or 503, if the server cannot be reached).
    """
    dialect = engine.dialect

    def given_back(_dbapi_connection: Any, record: Any) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < idle:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except (dialect.loaded_dbapi.Error, OSError) as error:  # OSError: TimeoutError too
            raise InvalidatePoolError(f"pre-ping failed: {error!r}") from error

    event.listen(engine.sync_engine, "checkin", given_back)
    event.listen(engine.sync_engine, "checkout", ping_if_idle)
