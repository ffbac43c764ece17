"""Each middleware's cost: one project per middleware alone, against one with none; each
default one's share of the default stack, measured in the service's own process; and what
the request-id middleware's direct access line gains over `logging`."""

from typing import Any

from .. import in_process, wrk
from ..config import Config
from ..context import Context, guarded, latency_note, throughput_row
from ..projects import MIDDLEWARE_KEYS, base_answers, template_defaults
from ..results import Row, Target
from ..servers import serving
from .http import ACCEPT, seed

GROUP = "Middleware"
LOAD = wrk.Load("/items", headers=ACCEPT)
"""A page of 20 items (about 3 kB): big enough for gzip to act, and not a health path
(the rate limit exempts those)."""


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {name: base_answers(**answers) for _, name, answers in _variants(config)}


SHORTCUT_LOADS = (
    ("GET /health/live", wrk.Load("/health/live", headers=ACCEPT)),
    ("GET /items/{id}", wrk.Load("/items/7", headers=ACCEPT)),
)
SHORTCUT_TARGET = Target(">=", 1.10, on="ratio")
"""A shortcut that costs clarity stays only while it gains at least 10 %: here the access
line written straight to the JSON handler, against the same line through `logging`
(`bench/apps/through_logging.py`)."""


STACK_COST = Target("<", 20.0)
"""Microseconds the default middleware stack adds to `GET /items`, in process."""


def cases(ctx: Context) -> list[Row]:
    rows = guarded(GROUP, "GET /items per middleware", lambda: _run(ctx))
    rows += guarded(GROUP, "in process", lambda: _in_process(ctx))
    return rows + guarded(GROUP, "direct access line", lambda: _shortcuts(ctx))


def _variants(config: Config) -> list[tuple[str, str, dict[str, bool]]]:
    """(label, project name, answers): none, each alone, the default stack."""
    off = dict.fromkeys(MIDDLEWARE_KEYS, False)
    defaults = template_defaults()
    on_by_default = [key for key in MIDDLEWARE_KEYS if defaults[key]]
    variants = [("none", "mw-none", off)]
    if config.each_middleware:
        variants += [(key, f"mw-{key}", off | {key: True}) for key in MIDDLEWARE_KEYS]
    variants.append((f"default ({' + '.join(on_by_default)})", "http-default", {}))
    return variants


def _run(ctx: Context) -> list[Row]:
    ctx.need_wrk()
    servers, names, rows = [], [], []
    for label, project_name, answers in _variants(ctx.config):
        try:
            project = ctx.projects.get(project_name, base_answers(**answers))
        except Exception as exc:
            rows += guarded(GROUP, label, lambda exc=exc: _raise(exc))
            continue
        servers.append(ctx.service(f"mw-{label.split()[0]}", project))
        names.append(label)
    if not servers or names[0] != "none":
        return rows or guarded(GROUP, "none", lambda: _raise(RuntimeError("no baseline")))
    with serving(*servers):
        for server in servers:
            seed(server)
        results = ctx.alternate(servers, LOAD)
    baseline = results[0]
    for label, runs in zip(names, results, strict=True):
        row = throughput_row(
            GROUP,
            f"GET /items, middleware: {label}",
            runs,
            versus=None if label == "none" else ("none", baseline),
            note=latency_note(runs),
        )
        if label != "none" and row.ratio is not None:
            costs = sorted(1e6 / a.rps - 1e6 / b.rps for a, b in zip(runs, baseline, strict=True))
            cost = costs[len(costs) // 2]
            row.note = f"{cost:+.0f} µs/request; " + row.note
            row.extra["cost_us"] = costs
        rows.append(row)
    return rows


def _shortcuts(ctx: Context) -> list[Row]:
    ctx.need_wrk()
    project = ctx.projects.get("http-default", base_answers())
    generated = ctx.service("mw-direct-access-line", project)
    plain = ctx.service("mw-through-logging", project, launcher="through_logging.py")
    rows = []
    with serving(generated, plain):
        seed(generated)
        seed(plain)
        for case, load in SHORTCUT_LOADS:
            generated_runs, plain_runs = ctx.alternate([generated, plain], load)
            row = throughput_row(
                GROUP,
                f"{case}: access line written directly, against through logging",
                generated_runs,
                versus=("access line through logging", plain_runs),
                target=SHORTCUT_TARGET,
                note=latency_note(generated_runs),
            )
            rows.append(row)
    return rows


def _in_process(ctx: Context) -> list[Row]:
    """The default project's app with all its modules, without each one that brings
    middleware, and without all of them: each one's share, and the stack's."""
    project = ctx.projects.get("http-default", base_answers())
    middleware = in_process.middleware(ctx, project)
    runs = in_process.measure(ctx, project, [(name,) for name in middleware] + [middleware])
    stack = f"default stack ({' + '.join(middleware)})"
    rows = [
        runs.share(GROUP, f"GET /items, in process: {stack}", middleware, "GET /items", STACK_COST)
    ]
    for load, case in (
        ("GET /health/live", "GET /health/live"),
        ("GET /items/7", "GET /items/{id}"),
        ("POST /items", "POST /items"),
    ):
        rows.append(runs.share(GROUP, f"{case}, in process: default stack", middleware, load))
    return rows + [
        runs.share(GROUP, f"GET /items, in process: {name}", (name,), "GET /items")
        for name in middleware
    ]


def _raise(exc: Exception) -> list[Row]:
    raise exc
