"""The benchmark harness (`python -m bench`) runs end to end in its smoke mode.

Only that it runs and reports: every group in the table and the JSON, each row a
verdict. Numbers are not checked (no timing assertions); a case the machine cannot run
(no wrk, no Redis) reports "unavailable", but a case that crashed fails this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import python_for

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {
    "Template",
    "HTTP",
    "Middleware",
    "Observability",
    "Auth",
    "DB",
    "WebSocket",
    "Worker",
}


def test_smoke_run_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            *("--python", python_for("3.12")),
            *("--workdir", str(tmp_path / "work")),
            *("--json", str(results)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert "| Group | Case | Measure | Median |" in completed.stdout
    assert "- CPU: " in completed.stdout

    document = json.loads(results.read_text())
    rows = document["results"]
    assert {row["group"] for row in rows} == GROUPS
    assert document["machine"]["cpus"] >= 1
    for row in rows:
        verdict = row["verdict"]
        assert verdict in {"PASS", "MISS", "info"} or verdict.startswith("unavailable: "), row
        assert not verdict.startswith("unavailable: error:"), row
        assert row["case"] in completed.stdout
