"""DB: list and get through the generated service vs a hand-written SQLAlchemy endpoint."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import wrk
from ..config import Config
from ..context import CLIENTS, Context, guarded, latency_note, throughput_row
from ..process import Unavailable, environment, run
from ..projects import MIDDLEWARE_KEYS, Project, base_answers
from ..results import Row, Target
from ..servers import reachable, serving
from .http import ACCEPT, seed

GROUP = "DB"
TARGET = Target(">=", 0.85, on="ratio")
LOADS = (
    ("GET /items (page of 20)", wrk.Load("/items", headers=ACCEPT)),
    ("GET /items/{id}", wrk.Load("/items/7", headers=ACCEPT)),
)
PG = ("127.0.0.1", 5432)


NO_MIDDLEWARE = dict.fromkeys(MIDDLEWARE_KEYS, False)
"""The database module's own cost shows apart from the middleware's (their own group)."""


def projects(config: Config) -> dict[str, dict[str, Any]]:
    kinds = ["sqlite", "postgresql"] if reachable(*PG) else ["sqlite"]
    return {name: answers for kind in kinds for name, answers in _variants(kind).items()}


def _variants(kind: str) -> dict[str, dict[str, Any]]:
    """The project as generated, and the same without middleware."""
    return {
        f"db-{kind}": base_answers(database=kind),
        f"db-{kind}-bare": base_answers(database=kind, **NO_MIDDLEWARE),
    }


def _url_env(project: Project, url: str) -> dict[str, str]:
    return {project.slug.upper() + "_DATABASE_URL": url}


def cases(ctx: Context) -> list[Row]:
    rows = guarded(GROUP, "SQLite", lambda: _engine(ctx, "sqlite"))
    rows += guarded(GROUP, "PostgreSQL", lambda: _engine(ctx, "postgresql"))
    return rows


def _engine(ctx: Context, kind: str) -> list[Row]:
    ctx.need_wrk()
    if kind == "postgresql" and not reachable(*PG):
        raise Unavailable("PostgreSQL not reachable on 127.0.0.1:5432")
    project, bare = (ctx.projects.get(name, answers) for name, answers in _variants(kind).items())
    if not (project.has("db") and project.has("items/sql")):
        raise Unavailable("the template has no database module yet")
    with _database(ctx, project, kind) as url:
        env = _url_env(project, url)
        alembic = project.python.parent / "alembic"
        run(
            [alembic, "upgrade", "head"],
            cwd=project.path,
            env=ctx.project_env(project, **env),
            timeout=120,
            what="alembic upgrade head",
        )
        label = "SQLite" if kind == "sqlite" else "PostgreSQL"
        candidate = ctx.service(f"template-{kind}", project, **env)
        unwrapped = ctx.service(f"template-{kind}-no-middleware", bare, **_url_env(bare, url))
        baseline = ctx.baseline(
            f"sqlalchemy-{kind}", project, "bare_db:app", BENCH_DATABASE_URL=url
        )
        rows: list[Row] = []
        with serving(candidate, unwrapped, baseline):
            seed(candidate, ctx.config.seed_rows)
            for case, load in LOADS:
                runs = ctx.alternate([candidate, unwrapped, baseline], load)
                template_runs, unwrapped_runs, baseline_runs = runs
                versus = ("hand-written SQLAlchemy", baseline_runs)
                rows.append(
                    throughput_row(
                        GROUP,
                        f"{label} {case}: template",
                        template_runs,
                        versus=versus,
                        target=TARGET,
                        note=latency_note(template_runs),
                    )
                )
                rows.append(
                    throughput_row(
                        GROUP,
                        f"{label} {case}: template without middleware",
                        unwrapped_runs,
                        versus=versus,
                        note=latency_note(unwrapped_runs),
                    )
                )
                rows.append(
                    throughput_row(
                        GROUP,
                        f"{label} {case}: hand-written SQLAlchemy",
                        baseline_runs,
                        note=latency_note(baseline_runs),
                    )
                )
        return rows


@contextmanager
def _database(ctx: Context, project: Project, kind: str) -> Iterator[str]:
    """A database URL nobody else uses: a fresh SQLite file, or a private PG role+schema."""
    if kind == "sqlite":
        path = ctx.workdir / "db" / "bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"bench_{ctx.run_id}"
    admin = [project.python, CLIENTS / "pg_admin.py"]
    version = run([*admin, "version"], env=environment(), what="pg_admin version")
    ctx.facts["postgresql"] = version.stdout.strip()
    run([*admin, "create", name], env=environment(), what="pg_admin create")
    try:
        yield f"postgresql+asyncpg://{name}@{PG[0]}:{PG[1]}/test"
    finally:
        run([*admin, "drop", name], env=environment(), what="pg_admin drop")
