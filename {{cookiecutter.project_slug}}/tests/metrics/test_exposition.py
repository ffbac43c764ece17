"""Multiprocess mode in this process: what a scrape reads, and what an exit leaves behind."""

import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from {{ cookiecutter.project_slug }}.metrics import exposition


class Answer(Collector):
    def collect(self) -> Iterable[Metric]:
        return [GaugeMetricFamily("answer", "Read when scraped.", value=42)]


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Multiprocess mode as far as this module sees it (values still stay in memory)."""
    monkeypatch.setenv(exposition.MULTIPROCESS_DIR, str(tmp_path))
    monkeypatch.setattr(exposition, "PROCESS_LOCAL", [])
    return tmp_path


def test_a_scrape_reads_the_files_and_this_process_local_collectors(shared: Path) -> None:
    exposition.register_process_local(Answer())
    body, content_type = exposition.scrape("")
    assert content_type.startswith("text/plain")
    assert b"answer 42.0" in body
    assert b"process_cpu_seconds_total" not in body  # this process alone: not in the sums


def test_an_exit_drops_only_this_process_live_gauges(shared: Path) -> None:
    mine = shared / f"gauge_livesum_{os.getpid()}.db"
    counted = shared / f"counter_{os.getpid()}.db"
    for path in (mine, counted):
        path.write_bytes(b"")
    exposition.process_exited()
    assert not mine.exists()
    assert counted.exists()
