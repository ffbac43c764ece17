"""The template itself: how long one bake takes, and the template suite's tiers if recorded."""

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..config import Config
from ..context import CLIENTS, Context, guarded
from ..process import Unavailable, environment, run
from ..projects import TEMPLATE, tool
from ..results import Row, Target, unavailable
from ..stats import Summary

GROUP = "Template"
TARGET = Target("<", 1.0)
# Written by the template suite itself at session end (tests/tier_times.py).
TIER_TIMES = TEMPLATE / ".cache" / "tier-times.json"


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {}


def cases(ctx: Context) -> list[Row]:
    rows = guarded(GROUP, "bake", lambda: _bake(ctx))
    rows += guarded(GROUP, "template test suite tiers", lambda: _tiers(ctx))
    return rows


def _bake(ctx: Context) -> list[Row]:
    repeats = ctx.config.bake_repeats
    output = ctx.workdir / "bakes"
    load = os.getloadavg()[0]
    result = run(
        [sys.executable, CLIENTS / "bake_timer.py", TEMPLATE, output / "api", str(repeats)],
        env=environment(),
        timeout=300,
        what="bake_timer",
    )
    timed = json.loads(result.stdout.strip().splitlines()[-1])
    rows = [
        Row(
            GROUP,
            "bake, default answers (render + hooks, in process)",
            "time",
            "s",
            value=Summary.of(timed["bake_seconds"]),
            target=TARGET,
            note=(
                f"CPU {Summary.of(timed['cpu_seconds']).median:.2f} s (bake and hook processes); "
                f"load {load:.1f} at start; "
                f"cookiecutter import {timed['import_seconds']:.2f} s not included"
            ),
        )
    ]
    cookiecutter = tool("cookiecutter")
    if cookiecutter is None:
        raise Unavailable("cookiecutter not found")
    walls = []
    for n in range(repeats):
        started = time.perf_counter()
        subprocess.run(
            [cookiecutter, str(TEMPLATE), "--no-input", "-o", str(output / f"cli{n}")],
            capture_output=True,
            check=True,
            env=environment(),
            timeout=300,
        )
        walls.append(time.perf_counter() - started)
    rows.append(
        Row(
            GROUP,
            "bake, default answers (`cookiecutter` command, wall)",
            "time",
            "s",
            value=Summary.of(walls),
            note="includes starting Python and importing cookiecutter",
        )
    )
    return rows


def _tiers(ctx: Context) -> list[Row]:
    path = ctx.config.tier_times or Path(os.environ.get("TEMPLATE_TIER_TIMES") or TIER_TIMES)
    if not path.exists():
        reason = f"no record at {path}: run the template suite, or pass --tier-times FILE"
        return [unavailable(GROUP, "template test suite tiers", reason)]
    data = json.loads(path.read_text())
    if "tiers" not in data:  # a plain {tier: seconds} file
        return [_suite_row(name, sec, f"from {path}") for name, sec in data.items()]
    workers = data["workers"]
    how = f"{workers} xdist worker{'s' * (workers > 1)}" if workers else "one process"
    rows = [
        _suite_row(
            "whole session",
            data["session_wall"],
            f"recorded {data['recorded']} by `pytest {shlex.join(data['args'])}` "
            f"({how}, exit status {data['exit_status']})",
        )
    ]
    for name, tier in data["tiers"].items():
        counts = "".join(f", {tier[k]} {k}" for k in ("skipped", "failed") if tier[k])
        note = (
            f"first start to last end; {tier['tests']} tests{counts}; "
            f"durations sum to {tier['sum']:.1f} s"
        )
        rows.append(_suite_row(name, tier["wall"], note))
    return rows


def _suite_row(name: str, seconds: float, note: str) -> Row:
    return Row(GROUP, f"template test suite, {name}", "wall", "s", Summary.of([seconds]), note=note)
