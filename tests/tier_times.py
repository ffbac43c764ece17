"""Record the suite's wall time per tier at session end, for `python -m bench`.

The JSON goes to `.cache/tier-times.json` (or `$TEMPLATE_TIER_TIMES`) whenever a session
ran tests, with what ran: the arguments, when, the outcome. Per tier, `wall` is first
start to last end and `sum` the tests' own durations (setup, call, teardown). Under
pytest-xdist the reports come from every worker to the controller, which writes the
file; tiers then overlap, so their walls add up to more than the session's.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DEFAULT = Path(__file__).resolve().parent.parent / ".cache" / "tier-times.json"
TIERS = {"test_render": "tier 1: render", "test_projects": "tier 2: projects"}


def tier_of(nodeid: str) -> str:
    """Tier 1 and 2 by module; every other module is a tier of its own."""
    stem = Path(nodeid.split("::", 1)[0]).stem
    return TIERS.get(stem, stem.removeprefix("test_").replace("_", " "))


@dataclass
class Tier:
    first: float = math.inf
    last: float = 0.0
    summed: float = 0.0
    tests: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        return {
            "wall": round(self.last - self.first, 3),
            "sum": round(self.summed, 3),
            "tests": len(self.tests),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
        }


class TierTimes:
    def __init__(self, config: pytest.Config, path: Path) -> None:
        self.config = config
        self.path = path
        self.started = time.time()
        self.tiers: dict[str, Tier] = {}
        self.workers: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        tier = self.tiers.setdefault(tier_of(report.nodeid), Tier())
        tier.first = min(tier.first, report.start)
        tier.last = max(tier.last, report.stop)
        tier.summed += report.duration
        tier.tests.add(report.nodeid)
        if report.failed:
            tier.failed.add(report.nodeid)
        elif report.skipped:
            tier.skipped.add(report.nodeid)
        node = getattr(report, "node", None)  # set by xdist on the controller
        if node is not None:
            self.workers.add(node.gateway.id)

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        if not self.tiers:
            return  # nothing ran (--collect-only, nothing selected): keep the last record
        record = {
            "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "args": list(self.config.invocation_params.args),
            "workers": len(self.workers),
            "exit_status": int(exitstatus),
            "session_wall": round(time.time() - self.started, 3),
            "tiers": {name: self.tiers[name].as_dict() for name in sorted(self.tiers, key=_order)},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(record, indent=2) + "\n")


def _order(name: str) -> tuple[bool, str]:
    return name not in TIERS.values(), name


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller sees every report and writes the file
    path = Path(os.environ.get("TEMPLATE_TIER_TIMES") or DEFAULT)
    config.pluginmanager.register(TierTimes(config, path), "tier-times")
