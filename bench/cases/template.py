"""The template itself: how long one bake takes, and the template suite's tiers if known."""

import json
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


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {}


def cases(ctx: Context) -> list[Row]:
    rows = guarded(GROUP, "bake", lambda: _bake(ctx))
    rows += guarded(GROUP, "template test suite tiers", lambda: _tiers(ctx))
    return rows


def _bake(ctx: Context) -> list[Row]:
    repeats = ctx.config.bake_repeats
    output = ctx.workdir / "bakes"
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
            note=f"cookiecutter import {timed['import_seconds']:.2f} s not included",
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
    path: Path | None = ctx.config.tier_times
    if path is None or not path.exists():
        return [
            unavailable(
                GROUP,
                "template test suite tiers",
                "not measured by this run; pass --tier-times FILE (JSON {tier: seconds})",
            )
        ]
    data = json.loads(path.read_text())
    tiers = data.get("tiers", data) if isinstance(data, dict) else {}
    return [
        Row(GROUP, f"template test suite, {name}", "wall", "s", value=Summary.of([float(sec)]))
        for name, sec in tiers.items()
        if isinstance(sec, int | float)
    ]
