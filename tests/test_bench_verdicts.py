"""The benchmark harness tells a case it cannot run here from a case that broke.

"Unavailable" (a tool or service missing) passes the smoke run; a process that ran and
failed is an error, which fails it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.context import guarded
from bench.process import run


def test_a_process_that_fails_is_an_error() -> None:
    [row] = guarded("Group", "case", lambda: [run([sys.executable, "-c", "raise SystemExit(3)"])])
    assert row.verdict.startswith("unavailable: error: ")
    assert "exited 3" in row.verdict


def test_a_missing_program_is_unavailable() -> None:
    [row] = guarded("Group", "case", lambda: [run(["/nonexistent/benchmark-tool"])])
    assert row.verdict.startswith("unavailable: ")
    assert "error" not in row.verdict
