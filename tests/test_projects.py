"""Tier 2: generated projects install, type-check, pass their own tests and serve."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from combinations import TIER2, Combination
from conftest import BIN, Bakery, hook_statuses, python_for, require_service, run, tool

POSTGRES_URL = os.environ.get(
    "TEMPLATE_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def each(combinations: list[Combination]) -> pytest.MarkDecorator:
    """Parametrize over combinations, keeping each one's tests on one xdist worker."""
    return pytest.mark.parametrize(
        "combination",
        [pytest.param(c, marks=pytest.mark.xdist_group(c.name), id=c.name) for c in combinations],
    )


# The Python-version rows repeat the defaults: PostgreSQL once per distinct tree is enough.
ON_POSTGRESQL = [
    c
    for c in TIER2
    if c.answers["database"] == "postgresql"
    and c.python is None
    and "python_version" not in c.changes
]


@dataclass
class Installed:
    project: Path
    env: dict[str, str]

    def bin(self, name: str) -> str:
        return str(self.project / ".venv" / "bin" / name)


_installed: dict[str, Installed] = {}


@pytest.fixture
def installed(combination: Combination, workspace: Bakery, uv_cache: dict[str, str]) -> Installed:
    """The baked project in its own virtualenv with its dev tools (once per combination)."""
    if combination.name not in _installed:
        project = workspace(combination)
        python = python_for(combination.interpreter)
        env = dict(uv_cache)
        if combination.name == "defaults":
            # The path a user takes: the generated Makefile with pip.
            run("make", "install", f"PYTHON={python}", cwd=project, env=env)
        else:
            run(tool("uv"), "venv", "--quiet", "--python", python, ".venv", cwd=project, env=env)
            env_venv = env | {"VIRTUAL_ENV": str(project / ".venv")}
            run(tool("uv"), "pip", "install", "--quiet", "-e", ".[dev]", cwd=project, env=env_venv)
        _installed[combination.name] = Installed(project, env)
    return _installed[combination.name]


@each(TIER2)
def test_lint_and_types(combination: Combination, installed: Installed) -> None:
    if combination.name == "defaults":
        run("make", "lint", cwd=installed.project, env=installed.env)
    else:
        run(installed.bin("mypy"), cwd=installed.project, env=installed.env)


@each(TIER2)
def test_own_suite_passes_with_coverage_gate(
    combination: Combination, installed: Installed
) -> None:
    if combination.name == "defaults":
        result = run("make", "test", cwd=installed.project, env=installed.env)
    else:
        result = run(
            installed.bin("pytest"), "-q", "--cov", cwd=installed.project, env=installed.env
        )
    assert " passed" in result.stdout
    assert "Required test coverage of 90" in result.stdout


@each(ON_POSTGRESQL)
def test_own_suite_passes_on_postgresql(combination: Combination, installed: Installed) -> None:
    """The same suite against a real PostgreSQL server (`TEST_DATABASE_URL`)."""
    require_service("127.0.0.1", 5432, "PostgreSQL")
    env = installed.env | {"TEST_DATABASE_URL": POSTGRES_URL}
    result = run(
        installed.bin("pytest"), "-q", "-p", "no:cacheprovider", cwd=installed.project, env=env
    )
    assert " passed" in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@each(TIER2)
def test_serves_health_with_a_real_server(combination: Combination, installed: Installed) -> None:
    """`python -m <package>` with zero services: live and ready answer 200."""
    port = free_port()
    prefix = installed.project.name.upper()
    env = installed.env | {f"{prefix}_PORT": str(port)}
    if (installed.project / "alembic.ini").exists():  # not ready until migrated
        run(installed.bin("alembic"), "upgrade", "head", cwd=installed.project, env=env)
    server = subprocess.Popen(
        [installed.bin("python"), "-m", installed.project.name],
        cwd=installed.project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                live = get(base + "/health/live")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        ready = get(base + "/health/ready")
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert (live, ready) == (200, 200), output
    assert server.returncode == 0, output
    assert "Application shutdown complete" in output


@each([c for c in TIER2 if c.name == "defaults"])
def test_pre_commit_local_hooks_pass(
    combination: Combination, installed: Installed, pre_commit_vars: dict[str, str], tmp_path: Path
) -> None:
    """The generated pre-commit config runs in a fresh repository of the project.

    Only its `repo: local` hooks: the others are fetched from their repositories, out of reach
    offline. The config is cut down to those, and each of them must pass (not skip).
    """
    config = yaml.safe_load((installed.project / ".pre-commit-config.yaml").read_text())
    local = [repo for repo in config["repos"] if repo["repo"] == "local"]
    hooks = [hook for repo in local for hook in repo["hooks"]]
    assert hooks, "no local hook in the generated .pre-commit-config.yaml"
    offline = tmp_path / "pre-commit-local.yaml"
    offline.write_text(yaml.safe_dump(config | {"repos": local}))
    path = os.pathsep.join(
        [str(installed.project / ".venv" / "bin"), installed.env["PATH"], str(BIN)]
    )
    env = installed.env | pre_commit_vars | {"PATH": path}
    run("git", "init", "-q", cwd=installed.project, env=env)
    run("git", "add", "-A", cwd=installed.project, env=env)
    command = [tool("pre-commit"), "run", "--all-files", "--config", str(offline)]
    output = run(*command, cwd=installed.project, env=env).stdout
    assert hook_statuses(output) == ["Passed"] * len(hooks), output


@each([c for c in TIER2 if c.name == "all-on"])
def test_own_suite_ignores_the_services_variables_around_it(
    combination: Combination, installed: Installed
) -> None:
    """Run where the service's own variables are set (the compose `api` container, a CI job
    with service URLs, a developer's `.envrc`): the tests build their settings themselves."""
    prefix = installed.project.name.upper() + "_"
    nowhere = {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": "sqlite+aiosqlite:////nonexistent/ambient.sqlite3",
    }
    env = (
        installed.env
        | nowhere
        | {prefix + name: value for name, value in nowhere.items()}
        | {prefix + "ENVIRONMENT": "production", prefix + "RATE_LIMIT_REQUESTS": "1"}
    )
    result = run(
        installed.bin("pytest"), "-q", "-p", "no:cacheprovider", cwd=installed.project, env=env
    )
    assert " passed" in result.stdout
