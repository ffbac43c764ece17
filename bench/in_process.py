"""The generated app's CPU cost per request, called in its own process with no server
(`bench/apps/in_process.py`): what a few microseconds cost, which wrk's spread hides."""

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .context import APPS, Context
from .process import Failed, log
from .projects import Project
from .results import Row, Target
from .stats import Summary

REQUESTS = 2000
"""Requests per load and pass in one measurement (three passes, the best kept)."""

Without = tuple[str, ...]
"""Modules left out of the app, by name."""


@dataclass(frozen=True, slots=True)
class Runs:
    """µs per request by load, per round, for the app with all its modules and without some."""

    runs: dict[Without, list[dict[str, float]]]

    def share(
        self, group: str, case: str, without: Without, load: str, target: Target | None = None
    ) -> Row:
        """What the modules left out cost on `load` ("GET /items"): the per-round difference."""
        every, fewer = self.runs[()], self.runs[without]
        differences = [a[load] - b[load] for a, b in zip(every, fewer, strict=True)]
        whole = Summary.of([run[load] for run in every]).median
        note = f"of {whole:.0f} µs/request in all; CPU time, the app called in process"
        value = Summary.of(differences)
        return Row(group, case, "cost", "µs/request", value, target=target, note=note)


def middleware(ctx: Context, project: Project) -> Without:
    """The project's modules that bring middleware, in the registry's order."""
    names: list[str] = _call(ctx, project, 10, ())["middleware"]
    return tuple(names)


def measure(ctx: Context, project: Project, variants: Sequence[Without]) -> Runs:
    """The app with all its modules and without each of `variants`, in turns, `rounds` times;
    a variant naming a module the project lacks is measured as it is."""
    requests = REQUESTS // 10 if ctx.config.smoke else REQUESTS
    runs: dict[Without, list[dict[str, float]]] = {v: [] for v in [(), *variants]}
    for round_ in range(ctx.config.rounds):
        for without in runs:
            runs[without].append(_call(ctx, project, requests, without)["us"])
        costs = ", ".join(f"{load} {us:.1f}" for load, us in runs[()][-1].items())
        log(f"  in process round {round_ + 1}/{ctx.config.rounds}: {costs} µs/request")
    return Runs(runs)


def _call(ctx: Context, project: Project, requests: int, without: Without) -> dict[str, Any]:
    ctx.log_dir.mkdir(parents=True, exist_ok=True)
    sink_path = ctx.log_dir / f"{project.name}-in-process.log"
    with sink_path.open("a") as sink:  # the access lines, as a served project's go to a file
        result = subprocess.run(
            [str(project.python), str(APPS / "in_process.py"), str(requests), *without],
            cwd=project.path,
            env=ctx.project_env(project, BENCH_PACKAGE=project.slug),
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
            timeout=600,
            check=False,
        )
    if result.returncode != 0:
        raise Failed(f"in_process.py exited {result.returncode}; see {sink_path}")
    found: dict[str, Any] = json.loads(result.stdout)
    return found
