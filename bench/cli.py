"""The entry command: parse options, run the chosen groups, print and save the results."""

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import machine
from .cases import auth, db, http, middleware, observability, template, worker, ws
from .config import FULL, GROUPS, SMOKE, Config
from .context import Context, merge
from .process import log, stop_on_sigterm
from .projects import Projects, tool, versions
from .results import Row, table, write_json

MODULES = {
    "template": template,
    "http": http,
    "middleware": middleware,
    "observability": observability,
    "auth": auth,
    "db": db,
    "ws": ws,
    "worker": worker,
}


def parse(argv: list[str] | None) -> tuple[Config, Path | None]:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Bake projects from this template, serve them, load them, print ratios.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny durations, few clients (CI)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="run only these groups")
    parser.add_argument("--rounds", type=int, help="alternating rounds per case")
    parser.add_argument("--duration", type=int, help="seconds of load per run (whole seconds)")
    parser.add_argument("--connections", type=int, help="wrk connections")
    parser.add_argument("--ws-clients", type=int, help="WebSocket clients on the channel")
    parser.add_argument("--worker-jobs", type=int, help="jobs per worker round")
    parser.add_argument("--python", help="interpreter for the services (uv -p), default 3.12")
    parser.add_argument("--json", type=Path, help="write results here (default: a temp file)")
    parser.add_argument("--workdir", type=Path, help="bake and install here (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workdir")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample every generated service with py-spy (collapsed stacks in workdir/profiles)",
    )
    parser.add_argument(
        "--tier-times",
        type=Path,
        help="the template suite's tier times (default: .cache/tier-times.json, which the "
        "suite writes at the end of every run; $TEMPLATE_TIER_TIMES moves both)",
    )
    args = parser.parse_args(argv)
    config = SMOKE if args.smoke else FULL
    overrides = {
        "groups": tuple(args.only) if args.only else None,
        "rounds": args.rounds,
        "duration": args.duration,
        "connections": args.connections,
        "ws_clients": args.ws_clients,
        "worker_jobs": args.worker_jobs,
        "python": args.python,
        "workdir": args.workdir,
        "keep": args.keep or None,
        "tier_times": args.tier_times,
        "profile": args.profile or None,
    }
    config = dataclasses.replace(config, **{k: v for k, v in overrides.items() if v is not None})
    return config, args.json


def main(argv: list[str] | None = None) -> int:
    config, json_path = parse(argv)
    stop_on_sigterm()
    started = time.monotonic()
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"workdir {workdir}; groups {' '.join(config.groups)}")
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    if config.profile and tool("py-spy") is None:
        log("--profile: py-spy not found (pip install py-spy); services run unprofiled")
    facts = machine.describe()
    ctx = Context(config, Projects(workdir, config.python), workdir)
    rows: list[Row] = []
    try:
        groups = [MODULES[group] for group in GROUPS if group in config.groups]
        wanted = {name: a for module in groups for name, a in module.projects(config).items()}
        log(f"baking and installing {len(wanted)} projects: {' '.join(wanted)}")
        ctx.projects.prepare(wanted)
        for group, module in zip([g for g in GROUPS if g in config.groups], groups, strict=True):
            log(f"== {group}")
            rows += module.cases(ctx)
        for project in ctx.projects.installed():
            merge(facts, "libraries", versions(project.python, machine.LIBRARIES))
        facts.update(ctx.facts)
        facts["load_average_end"] = os.getloadavg()
        facts["wall_seconds"] = round(time.monotonic() - started, 1)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        json_path = json_path or Path(tempfile.gettempdir()) / f"bench-results-{stamp}.json"
        write_json(json_path, facts, config.as_dict(), rows)
        mode = "smoke" if config.smoke else "full"
        print(f"## Benchmark results ({mode} run, {facts['wall_seconds']} s)\n")
        print(machine.render(facts) + "\n")
        print(table(rows))
        print(f"\nJSON: {json_path}")
    finally:
        if config.workdir is None and not config.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
