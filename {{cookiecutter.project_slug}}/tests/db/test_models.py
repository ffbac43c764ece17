"""Timestamps are aware and in UTC on every database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from {{ cookiecutter.project_slug }}.db.models import UTCDateTime

PARIS = timezone(timedelta(hours=2))


def test_aware_datetimes_are_stored_in_utc() -> None:
    noon_in_paris = datetime(2025, 6, 1, 12, tzinfo=PARIS)
    stored = UTCDateTime().process_bind_param(noon_in_paris, sqlite.dialect())
    assert stored == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert stored is not None
    assert stored.tzinfo is UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2025, 6, 1, 12), sqlite.dialect())


@pytest.mark.parametrize(
    "loaded",
    [
        datetime(2025, 6, 1, 10),  # as SQLite returns it: no zone, but stored in UTC
        datetime(2025, 6, 1, 12, tzinfo=PARIS),
    ],
)
def test_loaded_datetimes_come_back_in_utc(loaded: datetime) -> None:
    result = UTCDateTime().process_result_value(loaded, sqlite.dialect())
    assert result == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert result is not None
    assert result.tzinfo is UTC
