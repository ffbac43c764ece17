"""SQLite connects that are given up on or fail leave nothing running past the event loop
(aiosqlite's thread would report to a closed loop)."""

import asyncio
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.db import DatabaseSettings
from {{ cookiecutter.project_slug }}.db.engine import create_engine
from {{ cookiecutter.project_slug }}.db.errors import DatabaseUnavailableError
from {{ cookiecutter.project_slug }}.db.session import open_database
from {{ cookiecutter.project_slug }}.readiness import Readiness

CONNECT_TIME = 0.3
"""Seconds each SQLite connect takes in this test: far past the readiness timeout."""


@pytest.fixture
def slow_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    connect = sqlite3.connect

    def slowly(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        time.sleep(CONNECT_TIME)  # in aiosqlite's thread, as a loaded disk would
        connection: sqlite3.Connection = connect(*args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", slowly)


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    return errors


@pytest.mark.usefixtures("slow_connect")
def test_a_check_given_up_on_ends_before_the_loop_closes(
    tmp_path: Path, thread_errors: list[BaseException | None]
) -> None:
    settings = DatabaseSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'slow.sqlite3'}",
        database_alembic_config="",
        _env_file=None,
    )

    async def check_then_stop() -> dict[str, str]:
        async with open_database(settings) as resources:
            return await Readiness(resources.checks, timeout=0.01).failures()

    before = set(threading.enumerate())
    assert asyncio.run(check_then_stop()) == {"database": "timed out"}
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5 * CONNECT_TIME)
        assert not thread.is_alive()
    assert thread_errors == []


@pytest.fixture
def no_thread_switch() -> Iterator[None]:
    """Other threads run only while this one waits: none can finish behind the test's back."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(60)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("no_thread_switch")
def test_a_failed_connect_returns_once_its_thread_has_stopped(tmp_path: Path) -> None:
    settings = DatabaseSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'absent' / 'service.sqlite3'}",
        database_alembic_config="",
        _env_file=None,
    )

    async def connect_and_fail() -> set[threading.Thread]:
        engine = create_engine(settings)
        await asyncio.to_thread(time.time)  # the loop's executor thread, counted in `before`
        before = set(threading.enumerate())
        with pytest.raises(DatabaseUnavailableError, match="unable to open database file"):
            await engine.connect()
        running = set(threading.enumerate()) - before
        await engine.dispose()
        return running

    assert asyncio.run(connect_and_fail()) == set()
