"""What observability costs a request: `metrics` (on by default) against the same project
without it, served and in process, and `tracing` with no exporter configured against the
default project."""

from typing import Any

from .. import in_process, wrk
from ..config import Config
from ..context import Context, guarded, latency_note, throughput_row
from ..projects import base_answers
from ..results import Row, Target
from ..servers import serving
from ..stats import Summary
from .http import ACCEPT, seed

GROUP = "Observability"
LOAD = wrk.Load("/items/7", headers=ACCEPT)
"""A small read through the router, a dependency and a model: cheap, so a per-request
cost shows."""

METRICS_COST = Target("<", 10.0)
"""Microseconds `metrics` adds to a request (median over rounds), served and in process: the
served figure is what clients feel, and the one in process, with no server, the middleware's
own CPU time, which a spread of tens of µs between served rounds cannot hide."""
TRACING_RATIO = Target(">=", 0.95, on="ratio")
"""Tracing with no exporter keeps at least 95 % of the requests per second."""

VARIANTS = {
    "metrics off": base_answers(metrics=False),
    "default (metrics on)": base_answers(),
    "tracing on, no exporter": base_answers(tracing=True),
}
PROJECTS = {"metrics off": "obs-metrics-off", "default (metrics on)": "http-default"}


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {_project_name(label): answers for label, answers in VARIANTS.items()}


def cases(ctx: Context) -> list[Row]:
    rows = guarded(GROUP, "metrics and tracing cost", lambda: _run(ctx))
    return rows + guarded(GROUP, "metrics cost in process", lambda: _in_process(ctx))


def _in_process(ctx: Context) -> list[Row]:
    project = ctx.projects.get(PROJECTS["default (metrics on)"], VARIANTS["default (metrics on)"])
    runs = in_process.measure(ctx, project, [("metrics",)])
    case = "GET /items/{id}: cost of metrics, in process"
    return [runs.share(GROUP, case, ("metrics",), "GET /items/7", METRICS_COST)]


def _project_name(label: str) -> str:
    return PROJECTS.get(label, "obs-tracing")


def _run(ctx: Context) -> list[Row]:
    ctx.need_wrk()
    labels = list(VARIANTS)
    servers = []
    for label in labels:
        project = ctx.projects.get(_project_name(label), VARIANTS[label])
        servers.append(ctx.service(f"obs-{label.split()[0]}", project))
    with serving(*servers):
        for server in servers:
            seed(server)
        off, metrics, tracing = ctx.alternate(servers, LOAD)
    costs = [1e6 / a.rps - 1e6 / b.rps for a, b in zip(metrics, off, strict=True)]
    metrics_row = throughput_row(
        GROUP,
        "GET /items/{id}: cost of metrics, against metrics off",
        metrics,
        versus=("metrics off", off),
        note=latency_note(metrics),
    )
    if metrics_row.unavailable is None:
        metrics_row.measure, metrics_row.unit = "cost", "µs/request"
        metrics_row.value = Summary.of(costs)
        metrics_row.target = METRICS_COST
    tracing_row = throughput_row(
        GROUP,
        "GET /items/{id}: tracing on with no exporter, against the default project",
        tracing,
        versus=("default (metrics on)", metrics),
        target=TRACING_RATIO,
        note=latency_note(tracing),
    )
    return [metrics_row, tracing_row]
