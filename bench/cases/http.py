"""HTTP: the generated service with its default middleware, served as `make run` serves it,
vs FastAPI baselines (one served by `fastapi run`, as FastAPI's docs serve it) vs raw ASGI."""

import json
from typing import Any

from .. import wrk
from ..config import Config
from ..context import Context, guarded, latency_note, throughput_row
from ..projects import base_answers
from ..results import Row, Target
from ..servers import FastapiRunServer, Server, serving

GROUP = "HTTP"
ACCEPT = {"Accept-Encoding": "gzip"}
"""What browsers and common HTTP clients send; the gzip middleware acts on it."""
SEED = 20
TARGET = Target(">=", 0.75, on="ratio")
"""Against bare FastAPI with no access log at all."""
SERVED_TARGET = Target(">=", 1.00, on="ratio")
"""Against bare FastAPI served by `fastapi run`, which writes uvicorn's access line."""

LOADS = (
    ("GET /health/live", wrk.Load("/health/live", headers=ACCEPT)),
    ("GET /items (page of 20)", wrk.Load("/items", headers=ACCEPT)),
    ("GET /items/{id}", wrk.Load("/items/7", headers=ACCEPT)),
    (
        "POST /items",
        wrk.Load(
            "/items",
            "POST",
            headers=ACCEPT,
            body='{"name": "bench {n}", "description": "A thing to count.", "quantity": 3}',
            unique_body=True,
        ),
    ),
)
"""POST last: it is the only load that changes what the servers hold."""


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {"http-default": base_answers()}


def cases(ctx: Context) -> list[Row]:
    return guarded(GROUP, "HTTP cases", lambda: _run(ctx))


def seed(server: Server, count: int = SEED) -> None:
    for n in range(1, count + 1):
        body = {"name": f"seed {n}", "description": f"Seeded item number {n}.", "quantity": n}
        status, text = server.request("POST", "/items", body)
        if status != 201:
            raise RuntimeError(f"seeding {server.name}: POST /items -> {status} {text[:200]!r}")


def _run(ctx: Context) -> list[Row]:
    ctx.need_wrk()
    project = ctx.projects.get("http-default", base_answers())
    candidate = ctx.service("template", project)
    bare = ctx.baseline("bare-fastapi", project, "bare_fastapi:app")
    routed = ctx.baseline("routed-fastapi", project, "routed_fastapi:app")
    served = ctx.baseline("fastapi-run", project, "bare_fastapi.py", FastapiRunServer)
    with serving(candidate, bare, routed, served):
        for server in (candidate, bare, routed, served):
            seed(server)
        routes = ctx.workdir / "raw-routes.json"
        routes.write_text(json.dumps(_bodies(candidate)))
        raw = ctx.baseline("raw-asgi", project, "raw_asgi:app", BENCH_RAW_ROUTES=str(routes))
        with raw:
            rows: list[Row] = []
            for case, load in LOADS:
                rows += guarded(
                    GROUP,
                    case,
                    lambda load=load, case=case: _case(
                        ctx, case, load, candidate, served, routed, bare, raw
                    ),
                )
            return rows


def _bodies(server: Server) -> dict[str, str]:
    """What the service answers on the GET routes, for the raw app to send as is."""
    bodies = {}
    for _, load in LOADS:
        if load.method == "GET":
            status, body = server.request("GET", load.path)
            if status != 200:
                raise RuntimeError(f"GET {load.path} -> {status}")
            bodies[f"GET {load.path}"] = body.decode()
    return bodies


def _case(
    ctx: Context,
    case: str,
    load: wrk.Load,
    candidate: Server,
    served: Server,
    routed: Server,
    bare: Server,
    raw: Server,
) -> list[Row]:
    servers = [candidate, served, routed, bare, raw]
    template_runs, served_runs, routed_runs, bare_runs, raw_runs = ctx.alternate(servers, load)
    return [
        throughput_row(
            GROUP,
            f"{case}: template, default middleware, against `fastapi run`",
            template_runs,
            versus=("bare FastAPI under `fastapi run`", served_runs),
            target=SERVED_TARGET,
            note=latency_note(template_runs),
        ),
        throughput_row(
            GROUP,
            f"{case}: template, default middleware",
            template_runs,
            versus=("bare FastAPI", bare_runs),
            target=TARGET,
            note=latency_note(template_runs),
        ),
        throughput_row(
            GROUP,
            f"{case}: bare FastAPI under `fastapi run`",
            served_runs,
            versus=("bare FastAPI", bare_runs),
            note=latency_note(served_runs) + "; uvicorn's text access line on",
        ),
        throughput_row(
            GROUP,
            f"{case}: template, against FastAPI with a router",
            template_runs,
            versus=("FastAPI with a router and a dependency", routed_runs),
            note="what the template adds to FastAPI as its docs structure an app",
        ),
        throughput_row(
            GROUP,
            f"{case}: FastAPI with a router and a dependency",
            routed_runs,
            versus=("bare FastAPI", bare_runs),
            note=latency_note(routed_runs),
        ),
        throughput_row(
            GROUP,
            f"{case}: bare FastAPI",
            bare_runs,
            versus=("raw ASGI", raw_runs),
            note=latency_note(bare_runs),
        ),
        throughput_row(GROUP, f"{case}: raw ASGI", raw_runs, note=latency_note(raw_runs)),
    ]
