"""Assemble the generated project from the answers: offline, idempotent, quiet.

MANIFEST is the only list of conditional paths. A path listed there is kept only when the
answers satisfy every entry that lists it, and each of an entry's conditions; a path listed
nowhere belongs to the core and is always kept. Paths are relative to the project root;
`{package}` stands for the package name. The template's tests import this file to check the
manifest against the template tree.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Owner:
    """Paths that exist only when each answer in ``needs`` takes one of its values."""

    needs: Mapping[str, tuple[Any, ...]]
    paths: tuple[str, ...]

    def wants(self, answers: Mapping[str, Any]) -> bool:
        return all(answers[answer] in values for answer, values in self.needs.items())


DATABASES = ("postgresql", "sqlite")

MANIFEST: tuple[Owner, ...] = (
    Owner({"docker": (True,)}, ("Dockerfile", ".dockerignore", "compose.yaml")),
    # the workflow and the Dependabot configuration
    Owner({"ci": ("github",)}, (".github",)),
    # the pipeline and the Renovate configuration
    Owner({"ci": ("gitlab",)}, (".gitlab-ci.yml", "renovate.json")),
    # database
    Owner({"database": ("none",)}, ("src/{package}/items/memory.py",)),
    Owner(
        {"database": DATABASES},
        (
            "alembic.ini",
            "migrations",
            "src/{package}/db",
            "src/{package}/items/sql.py",
            "tests/db",
        ),
    ),
    # a server can drop pooled connections; a SQLite file cannot
    Owner({"database": ("postgresql",)}, ("src/{package}/db/pre_ping.py",)),
    # websockets
    Owner({"websockets": (True,)}, ("src/{package}/realtime", "tests/realtime")),
    # background_worker
    Owner({"background_worker": (True,)}, ("src/{package}/worker", "tests/worker")),
    # job completion published on WebSocket channels
    Owner(
        {"background_worker": (True,), "websockets": (True,)},
        (
            "src/{package}/worker/notify.py",
            "tests/worker/test_notify.py",
            "tests/realtime/test_follow_a_job.py",
        ),
    ),
    # a job with a database session
    Owner(
        {"background_worker": (True,), "database": DATABASES},
        ("src/{package}/worker/db_jobs.py", "tests/worker/test_db_jobs.py"),
    ),
    # http_client
    Owner(
        {"http_client": (True,)},
        ("src/{package}/http_client", "tests/http_client", "tests/support/upstream.py"),
    ),
    # jobs with the HTTP client
    Owner(
        {"background_worker": (True,), "http_client": (True,)},
        ("src/{package}/worker/http_jobs.py", "tests/worker/test_http_jobs.py"),
    ),
    # the request id sent upstream
    Owner(
        {"http_client": (True,), "request_id": (True,)},
        ("src/{package}/http_client/propagation.py", "tests/http_client/test_propagation.py"),
    ),
    # auth
    Owner(
        {"auth": ("oidc",)},
        ("src/{package}/auth", "tests/auth", "tests/support/identity.py"),
    ),
    # item writes take a scope
    Owner({"auth": ("oidc",)}, ("tests/items/test_scopes.py",)),
    # WebSocket channels behind tokens
    Owner(
        {"auth": ("oidc",), "websockets": (True,)},
        ("src/{package}/auth/channels.py", "tests/realtime/test_channel_rules.py"),
    ),
    # jobs owned by their submitter
    Owner({"auth": ("oidc",), "background_worker": (True,)}, ("tests/worker/test_ownership.py",)),
    # metrics
    Owner(
        {"metrics": (True,)},
        ("src/{package}/metrics", "tests/metrics", "tests/support/metrics.py"),
    ),
    # the database pool
    Owner(
        {"metrics": (True,), "database": DATABASES},
        ("src/{package}/metrics/db.py", "tests/metrics/test_db_pool.py"),
    ),
    # scrapes and the rate limit
    Owner({"metrics": (True,), "rate_limit": (True,)}, ("tests/metrics/test_rate_limit.py",)),
    # WebSocket connections and frames
    Owner(
        {"metrics": (True,), "websockets": (True,)},
        ("src/{package}/metrics/websocket.py", "tests/realtime/test_metrics.py"),
    ),
    # calls to upstreams
    Owner(
        {"metrics": (True,), "http_client": (True,)},
        ("src/{package}/http_client/metrics.py", "tests/http_client/test_metrics.py"),
    ),
    # jobs sent and run
    Owner(
        {"metrics": (True,), "background_worker": (True,)},
        ("src/{package}/worker/metrics.py", "tests/worker/test_metrics.py"),
    ),
    # jobs carry the request id of the request that queued them
    Owner(
        {"background_worker": (True,), "request_id": (True,)},
        ("src/{package}/worker/request_ids.py", "tests/worker/test_request_ids.py"),
    ),
    # tracing
    Owner({"tracing": (True,)}, ("src/{package}/tracing", "tests/tracing")),
    Owner(
        {"tracing": (True,), "database": DATABASES},
        ("src/{package}/tracing/database.py", "tests/tracing/test_database.py"),
    ),
    Owner(
        {"tracing": (True,), "http_client": (True,)},
        ("src/{package}/tracing/http.py", "tests/tracing/test_http.py"),
    ),
    Owner(
        {"tracing": (True,), "background_worker": (True,)},
        ("src/{package}/tracing/jobs.py", "tests/tracing/test_jobs.py"),
    ),
    # middleware, one answer each
    Owner(
        {"request_id": (True,)},
        ("src/{package}/middleware/request_id.py", "tests/middleware/test_request_id.py"),
    ),
    Owner(
        {"security_headers": (True,)},
        (
            "src/{package}/middleware/security_headers.py",
            "tests/middleware/test_security_headers.py",
        ),
    ),
    Owner({"cors": (True,)}, ("src/{package}/middleware/cors.py", "tests/middleware/test_cors.py")),
    Owner({"gzip": (True,)}, ("src/{package}/middleware/gzip.py", "tests/middleware/test_gzip.py")),
    Owner(
        {"rate_limit": (True,)},
        ("src/{package}/middleware/rate_limit.py", "tests/middleware/test_rate_limit.py"),
    ),
)


def owned_paths(package: str) -> set[str]:
    """Every conditional path, with the package name filled in."""
    return {path.format(package=package) for owner in MANIFEST for path in owner.paths}


def unwanted_paths(answers: Mapping[str, Any]) -> Iterator[str]:
    """Paths whose owners the answers do not all satisfy, package name filled in."""
    package = answers["project_slug"]
    for path in sorted(owned_paths(package)):
        owners = [o for o in MANIFEST if path in _formatted(o.paths, package)]
        if not all(owner.wants(answers) for owner in owners):
            yield path


def assemble(project_dir: Path, answers: Mapping[str, Any]) -> list[str]:
    """Delete what the answers do not need; returns what was removed (idempotent)."""
    removed = []
    for relative in unwanted_paths(answers):
        target = project_dir / relative
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        removed.append(relative)
    return removed


def _formatted(paths: Iterable[str], package: str) -> set[str]:
    return {path.format(package=package) for path in paths}


def next_steps(project_dir: Path) -> str:
    """What to type after generating; `make install` first, so the first commit has uv.lock."""
    return (
        f"\nCreated {project_dir}\n\nNext steps:\n"
        f"  cd {project_dir.name}\n"
        "  make install    # uv: .venv with the service and its dev tools, uv.lock written\n"
        "  git init && git add -A && git commit -m 'Initial commit'\n"
        "  make check      # lint, type-check and test\n"
        "  make dev        # http://127.0.0.1:8000/docs\n"
        "uv missing? https://docs.astral.sh/uv/getting-started/installation/\n"
    )


def rendered_by_a_tool(project_dir: Path) -> bool:
    """Whether the project was rendered straight into a fresh temporary directory.

    That is how cruft renders the template's versions for `update`, `diff` and `check`: the
    next-steps banner would only land in their output (and in `cruft diff > change.patch`).
    """
    parent = project_dir.resolve().parent
    temporary = Path(tempfile.gettempdir()).resolve()
    return parent.parent == temporary and parent.name.startswith(tempfile.gettempprefix())


def main() -> None:
    answers = json.loads(r"""{{ cookiecutter | jsonify }}""")
    project_dir = Path.cwd()
    assemble(project_dir, answers)
    if not rendered_by_a_tool(project_dir):
        print(next_steps(project_dir))


if __name__ == "__main__":
    main()
