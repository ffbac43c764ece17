"""What every case shares: the configuration, the projects, servers and alternating load."""

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wrk
from .config import Config
from .process import Failed, Unavailable, environment, log
from .projects import Project, Projects, tool
from .results import Row, Target, unavailable
from .servers import Server, ServiceServer
from .stats import Summary

APPS = Path(__file__).resolve().parent / "apps"
CLIENTS = Path(__file__).resolve().parent / "clients"


@dataclass
class Context:
    config: Config
    projects: Projects
    workdir: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    facts: dict[str, Any] = field(default_factory=dict)
    """Machine facts cases learn on the way (service versions), printed with the table."""

    @property
    def log_dir(self) -> Path:
        return self.workdir / "logs"

    def project_env(self, project: Project, **extra: str) -> dict[str, str]:
        """The service's environment: defaults, but no limit that would refuse the load."""
        prefix = project.slug.upper() + "_"
        env = environment(**{prefix + "RATE_LIMIT_REQUESTS": "1000000000"})
        for name in ("REDIS_URL", "DATABASE_URL"):  # only what a case passes
            env.pop(name, None)
            env.pop(prefix + name, None)
        for name in [name for name in env if name.startswith("OTEL_")]:
            del env[name]  # no trace collector either: tracing runs with no exporter
        env.update(extra)
        return env

    def service(
        self,
        name: str,
        project: Project,
        ready_path: str = "/health/live",
        launcher: str | None = None,
        **env: str,
    ) -> Server:
        """The generated service itself, served as `make run` serves it (or through a
        `launcher` of bench/apps, which changes one thing first)."""
        server = ServiceServer(
            name,
            project.python,
            project.slug,
            launcher=APPS / launcher if launcher else None,
            cwd=project.path,
            env=self.project_env(project, **env),
            log_dir=self.log_dir,
            ready_path=ready_path,
        )
        py_spy = tool("py-spy")
        if self.config.profile and py_spy:
            server.profile = (py_spy, self.workdir / "profiles" / f"{name}-{server.port}.txt")
        return server

    def baseline(
        self, name: str, project: Project, app: str, server: type[Server] = Server, **env: str
    ) -> Server:
        """A baseline app from bench/apps, in the project's virtualenv (same libraries),
        served by uvicorn (`server`: by another command)."""
        return server(
            name,
            project.python,
            app,
            cwd=project.path,
            env=environment(BENCH_PACKAGE=project.slug, **env),
            log_dir=self.log_dir,
            app_dir=APPS,
        )

    def need_wrk(self) -> None:
        if not wrk.available():
            log(wrk.MISSING)
            raise Unavailable(wrk.MISSING)

    def alternate(self, servers: Sequence[Server], load: wrk.Load) -> list[list[wrk.WrkResult]]:
        """Rounds of A B C ..., the same load on each; results per server, in round order."""
        config = self.config
        if config.warmup:
            for server in servers:
                wrk.run(server.url, load, duration=config.warmup, connections=config.connections)
        results: list[list[wrk.WrkResult]] = [[] for _ in servers]
        for round_ in range(config.rounds):
            for index, server in enumerate(servers):
                result = wrk.run(
                    server.url, load, duration=config.duration, connections=config.connections
                )
                results[index].append(result)
            rps = ", ".join(
                f"{s.name} {r[-1].rps:,.0f}" for s, r in zip(servers, results, strict=True)
            )
            log(f"  {load.method} {load.path} round {round_ + 1}/{config.rounds}: {rps} req/s")
        return results


def throughput_row(
    group: str,
    case: str,
    results: Sequence[wrk.WrkResult],
    *,
    versus: tuple[str, Sequence[wrk.WrkResult]] | None = None,
    target: Target | None = None,
    note: str = "",
) -> Row:
    """req/s of one server; with `versus`, the per-round ratio to another's (same rounds)."""
    problems = [p for p in (r.problem() for r in results) if p]
    if problems:
        return Row(group, case, "req/s", unavailable=f"invalid run: {problems[0]}")
    row = Row(
        group,
        case,
        "req/s",
        value=Summary.of([r.rps for r in results]),
        target=target,
        note=note,
        extra={
            "p50_ms": Summary.of([r.p50_ms for r in results]).as_dict(),
            "p99_ms": Summary.of([r.p99_ms for r in results]).as_dict(),
        },
    )
    if versus is not None:
        name, others = versus
        bad = [p for p in (r.problem() for r in others) if p]
        if bad:
            row.unavailable = f"invalid {name} run: {bad[0]}"
            return row
        row.versus = name
        row.ratio = Summary.of([a.rps / b.rps for a, b in zip(results, others, strict=True)])
    return row


def latency_note(results: Sequence[wrk.WrkResult]) -> str:
    p50 = Summary.of([r.p50_ms for r in results]).median
    p99 = Summary.of([r.p99_ms for r in results]).median
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"


def guarded(group: str, case: str, body: Callable[[], list[Row]]) -> list[Row]:
    """Run a case; anything that stops it becomes one "unavailable" row, never a crash."""
    try:
        return body()
    except Unavailable as exc:
        reason = f"error: {exc}" if isinstance(exc, Failed) else str(exc)
        log(f"{group} / {case}: unavailable: {reason}")
        return [unavailable(group, case, reason)]
    except Exception as exc:  # a broken case must not end the run
        log(f"{group} / {case}: error: {exc!r}")
        return [unavailable(group, case, f"error: {exc!r}")]


def merge(facts: dict[str, Any], key: str, values: Mapping[str, str]) -> None:
    facts.setdefault(key, {}).update(values)
