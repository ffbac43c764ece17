"""WebSocket fan-out: 1,000 subscribers on one channel, one publisher; in one process, and
across two processes through Redis (publisher on one, every subscriber on the other)."""

import json
from typing import Any

from ..config import Config
from ..context import CLIENTS, Context, guarded
from ..process import Unavailable, log, run
from ..projects import Project, base_answers
from ..results import Row, Target
from ..servers import Server, reachable, serving
from ..stats import Summary

GROUP = "WebSocket"
REDIS = ("127.0.0.1", 6379)
DELIVERIES = Target(">=", 50_000)
P99 = Target("<", 50.0)
HOP = Target("<", 5.0)


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {"ws": base_answers(websockets=True)}


def cases(ctx: Context) -> list[Row]:
    return guarded(GROUP, "fan-out", lambda: _run(ctx))


def _run(ctx: Context) -> list[Row]:
    project = ctx.projects.get("ws", base_answers(websockets=True))
    if not project.has("realtime"):
        raise Unavailable("the template has no websockets module yet")
    ctx.facts["uvicorn_ws"] = "--ws auto (websockets-sansio); clients offer no compression"
    memory = ctx.service("ws-memory", project)
    pairs: list[tuple[str, Server, Server]] = [("one process", memory, memory)]
    servers = [memory]
    redis_reason = None
    if reachable(*REDIS):
        prefix = project.slug.upper() + "_"
        env = {
            prefix + "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
            prefix + "REALTIME_REDIS_PREFIX": f"bench-{ctx.run_id}:realtime:",
        }
        a = ctx.service("ws-redis-a", project, ready_path="/health/ready", **env)
        b = ctx.service("ws-redis-b", project, ready_path="/health/ready", **env)
        pairs.append(("two processes via Redis", a, b))
        servers += [a, b]
    else:
        redis_reason = "Redis not reachable on 127.0.0.1:6379"
    config = ctx.config
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with serving(*servers):
        for round_ in range(config.ws_rounds):
            for label, publisher, subscriber in pairs:
                result = _fanout(ctx, project, publisher, subscriber, round_)
                for mode, summary in result.items():
                    runs.setdefault((label, mode), []).append(summary)
    rows = []
    for label, _, _ in pairs:
        rows += _rows(label, runs[(label, "saturation")], runs[(label, "latency")])
    if redis_reason is None:
        rows.append(_hop(runs[("one process", "latency")], runs[(pairs[-1][0], "latency")]))
    else:
        rows.append(Row(GROUP, "two processes via Redis", "-", unavailable=redis_reason))
    return rows


def _fanout(
    ctx: Context, project: Project, publisher: Server, subscriber: Server, round_: int
) -> dict[str, dict[str, Any]]:
    """One connect of every client, then the saturation phase and the latency phase."""
    config = ctx.config
    pids = sorted({publisher.pid, subscriber.pid})
    result = run(
        [
            project.python,
            CLIENTS / "ws_fanout.py",
            *("--publish-url", publisher.url.replace("http", "ws") + "/ws"),
            *("--subscribe-url", subscriber.url.replace("http", "ws") + "/ws"),
            *("--clients", str(config.ws_clients)),
            *("--processes", str(config.ws_client_processes)),
            *("--channel", f"bench-{ctx.run_id}-{round_}"),
            *("--saturation-seconds", str(config.ws_saturation_seconds)),
            *("--latency-seconds", str(config.ws_latency_seconds)),
            *("--rate", str(config.ws_publish_rate)),
            *(arg for pid in pids for arg in ("--server-pid", str(pid))),
        ],
        timeout=300,
        what="ws_fanout",
    )
    data: dict[str, dict[str, Any]] = json.loads(result.stdout.strip().splitlines()[-1])
    saturation, latency = data["saturation"], data["latency"]
    log(
        f"  ws {'one process' if publisher is subscriber else 'via Redis'}: "
        f"{saturation['deliveries_per_second']:,.0f} deliveries/s "
        f"({saturation['received']}/{saturation['expected']}), "
        f"p50 {latency['latency_ms']['p50']:.2f} ms, p99 {latency['latency_ms']['p99']:.2f} ms "
        f"({latency['received']}/{latency['expected']}), dropped {saturation['closed_by_server']}"
    )
    return data


def _rows(label: str, saturation: list[dict[str, Any]], latency: list[dict[str, Any]]) -> list[Row]:
    one = label == "one process"
    rows = []
    lost = sum(r["expected"] - r["received"] for r in saturation + latency)
    dropped = sum(r["closed_by_server"] for r in saturation)
    server = Summary.of([r["server_cores"] for r in saturation]).median
    client = Summary.of([r["client_cores"] for r in saturation]).median
    per = Summary.of([r["client_cpu_us_per_delivery"] for r in saturation]).median
    rows.append(
        Row(
            GROUP,
            f"{label}: fan-out at saturation",
            "deliveries/s",
            value=Summary.of([r["deliveries_per_second"] for r in saturation]),
            target=DELIVERIES if one else None,
            note=(
                f"server {server:.2f} cores, clients {client:.2f} cores "
                f"({per:.1f} µs CPU/delivery); lost {lost}, sockets dropped {dropped}"
            ),
            extra={"runs": [_strip(r) for r in saturation]},
        )
    )
    p50 = Summary.of([r["latency_ms"]["p50"] for r in latency])
    p99 = Summary.of([r["latency_ms"]["p99"] for r in latency])
    rows.append(Row(GROUP, f"{label}: publish->receive at 10/s", "p50", "ms", value=p50, note=""))
    rows.append(
        Row(
            GROUP,
            f"{label}: publish->receive at 10/s",
            "p99",
            "ms",
            value=p99,
            target=P99 if one else None,
            note=f"{latency[0]['clients']} clients, {latency[0]['published']} messages per run",
            extra={"runs": [_strip(r) for r in latency]},
        )
    )
    return rows


def _hop(memory: list[dict[str, Any]], redis: list[dict[str, Any]]) -> Row:
    added = [
        r["latency_ms"]["p50"] - m["latency_ms"]["p50"] for m, r in zip(memory, redis, strict=True)
    ]
    return Row(
        GROUP,
        "Redis hop: added p50 latency (two processes minus one)",
        "added p50",
        "ms",
        value=Summary.of(added),
        target=HOP,
    )


def _strip(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "latencies_ms"}
