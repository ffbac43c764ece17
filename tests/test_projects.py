"""Tier 2: generated projects install, type-check, pass their own tests and serve."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from combinations import TIER2, Combination
from conftest import BIN, Bakery, hook_statuses, python_for, require_service, run, tool
from pre_gen_project import DEPENDENCIES

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

    def make(
        self, target: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`make <target>` as a user runs it, with the template's uv standing in for theirs."""
        return run("make", target, f"UV={tool('uv')}", cwd=self.project, env=env or self.env)

    def ambient(self) -> dict[str, str]:
        """Its environment as in a shell where the service's own variables are set (the
        compose `api` container, a CI job with service URLs, a developer's `.envrc`)."""
        prefix = self.project.name.upper() + "_"
        nowhere = {
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "DATABASE_URL": "sqlite+aiosqlite:////nonexistent/ambient.sqlite3",
        }
        return (
            self.env
            | nowhere
            | {prefix + name: value for name, value in nowhere.items()}
            | {prefix + "ENVIRONMENT": "production", prefix + "RATE_LIMIT_REQUESTS": "1"}
        )


_installed: dict[str, Installed] = {}


@pytest.fixture
def installed(combination: Combination, workspace: Bakery, uv_cache: dict[str, str]) -> Installed:
    """The baked project after `make install`: uv.lock written, .venv synced from it (once)."""
    if combination.name not in _installed:
        project = workspace(combination)
        env = dict(uv_cache)
        # Python caches the bytecode it compiles, as on a developer's machine: else (where
        # PYTHONDONTWRITEBYTECODE is set) each process the project's suite starts compiles
        # every module it imports again: about three times the CPU of a cached import.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        python = python_for(combination.interpreter)
        run("make", "install", f"UV={tool('uv')}", f"PYTHON={python}", cwd=project, env=env)
        _installed[combination.name] = Installed(project, env)
    return _installed[combination.name]


@each(TIER2)
def test_install_writes_a_lock_that_later_syncs_keep(
    combination: Combination, installed: Installed
) -> None:
    """`uv sync --locked`, as CI runs it, accepts the lock that `make install` wrote."""
    venv = (installed.project / ".venv/pyvenv.cfg").read_text()
    assert f"version_info = {combination.interpreter}." in venv  # PYTHON picked the interpreter
    lock = installed.project / "uv.lock"
    before = lock.read_text()
    assert f'name = "{installed.project.name.replace("_", "-")}"' in before
    run(tool("uv"), "sync", "--locked", cwd=installed.project, env=installed.env)
    assert lock.read_text() == before


# The Dockerfile's two installs (tier 1 checks the Dockerfile has exactly these).
IMAGE_SYNCS = (
    "uv sync --locked --no-dev --no-install-project",  # pyproject.toml and uv.lock only
    "uv sync --locked --no-dev --no-editable",  # then the sources too
)


@each(TIER2)
def test_image_install_from_the_lock_imports_the_app(
    combination: Combination, installed: Installed, tmp_path: Path
) -> None:
    """The image build's uv commands, without Docker: fresh directory, fresh environment."""
    source, venv = tmp_path / "src", tmp_path / "venv"
    source.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(installed.project / name, source)
    python = python_for(combination.interpreter)
    env = installed.env | {"UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON": python}
    package = installed.project.name
    check = f"import importlib.util as u; print(bool(u.find_spec('{package}')))"

    run(tool("uv"), *IMAGE_SYNCS[0].split()[1:], cwd=source, env=env)
    assert run(str(venv / "bin/python"), "-c", check, cwd=tmp_path).stdout.strip() == "False"
    for name in ("README.md", "LICENSE"):
        shutil.copy(installed.project / name, source)
    shutil.copytree(installed.project / "src", source / "src")
    run(tool("uv"), *IMAGE_SYNCS[1].split()[1:], cwd=source, env=env)
    shutil.rmtree(source)  # a non-editable install needs its sources no more

    imported = run(
        str(venv / "bin/python"),
        "-c",
        f"import {package}.main, {package}; print({package}.__file__)",
        cwd=tmp_path,
        env=installed.env,
    )
    assert imported.stdout.startswith(str(venv / "lib"))
    no_dev = run(
        str(venv / "bin/python"), "-c", "import importlib.util as u; print(u.find_spec('pytest'))"
    )
    assert no_dev.stdout.strip() == "None"


@each(TIER2)
def test_lint_and_types(combination: Combination, installed: Installed) -> None:
    if combination.name == "defaults":
        installed.make("lint")
    else:
        run(installed.bin("mypy"), cwd=installed.project, env=installed.env)


def root_files(project: Path) -> set[str]:
    return {path.name for path in project.iterdir() if path.is_file()}


# The Python-version rows repeat the defaults' tree: coverage is measured on its own row.
COVERED = [c for c in TIER2 if "python_version" not in c.changes]


@each(COVERED)
def test_own_suite_passes_with_coverage_gate(
    combination: Combination, installed: Installed
) -> None:
    """In a shell holding the service's own variables: the tests build their settings
    themselves, so the results are the same."""
    before = root_files(installed.project)
    env = installed.ambient()
    if combination.name == "defaults":
        result = installed.make("test", env)
    else:
        result = run(installed.bin("pytest"), "-q", "--cov", cwd=installed.project, env=env)
    assert " passed" in result.stdout
    assert "Required test coverage of 90" in result.stdout
    written = root_files(installed.project) - before - {".coverage"}
    assert written == set()  # no database file or other leftover: tests write to temp dirs


@each([c for c in TIER2 if c.name == "all-on"])  # the row with the most dependencies
def test_hook_refuses_every_name_the_project_installs(
    combination: Combination, installed: Installed
) -> None:
    """A slug equal to any import or distribution name here must be refused by pre_gen."""
    code = "import importlib.metadata as m; print(*m.packages_distributions(), sep='\\n')"
    imported = run(installed.bin("python"), "-c", code, env=installed.env).stdout.split()
    lock = tomllib.loads((installed.project / "uv.lock").read_text())  # every platform's
    distributions = [re.sub(r"[-_.]+", "_", package["name"]) for package in lock["package"]]
    names = {n for n in [*imported, *distributions] if re.fullmatch(r"[a-z][a-z0-9_]*", n)}
    assert len(names) > 50
    assert names - DEPENDENCIES - {installed.project.name} == set()


@each([c for c in TIER2 if c not in COVERED])
def test_own_suite_passes_on_other_pythons(combination: Combination, installed: Installed) -> None:
    """The tests that run in the suite's own process. Those that drive real server and
    worker processes (`-m process`: the OS and the servers' behaviour) run on the defaults'
    own row."""
    result = run(
        installed.bin("pytest"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not process",
        cwd=installed.project,
        env=installed.env,
    )
    assert " passed" in result.stdout


# Where the tests meet the database; the rest of the suite runs the same on either engine.
DATABASE_TESTS = (
    "tests/db",
    "tests/items",
    "tests/core/test_contract.py",
    "tests/core/test_startup.py",
)


@each(ON_POSTGRESQL)
def test_own_database_tests_pass_on_postgresql(
    combination: Combination, installed: Installed
) -> None:
    """The tests that use a database, against a real PostgreSQL server (`TEST_DATABASE_URL`)."""
    require_service("127.0.0.1", 5432, "PostgreSQL")
    env = installed.env | {"TEST_DATABASE_URL": POSTGRES_URL}
    result = run(
        installed.bin("pytest"),
        "-q",
        "-p",
        "no:cacheprovider",
        *DATABASE_TESTS,
        cwd=installed.project,
        env=env,
    )
    assert " passed" in result.stdout
    assert " skipped" not in result.stdout  # the PostgreSQL-only tests ran too


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


@each([c for c in TIER2 if c.name == "defaults"])
def test_ci_deploy_check_passes_and_catches_development_defaults(
    combination: Combination, installed: Installed, tmp_path: Path
) -> None:
    """The generated CI's deploy-check step, run here as CI runs it (its own database)."""
    require_service("127.0.0.1", 5432, "PostgreSQL")
    require_service("127.0.0.1", 6379, "Redis")
    workflow = yaml.safe_load((installed.project / ".github/workflows/ci.yml").read_text())
    [step] = [s for s in workflow["jobs"]["check"]["steps"] if s.get("name") == "Deploy check"]
    prefix = installed.project.name.upper() + "_"
    database = f"deploy_check_{os.getpid()}"
    server = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
    admin = (
        "import asyncio, asyncpg, sys\n"
        "async def main(sql):\n"
        f"    connection = await asyncpg.connect({server!r})\n"
        "    await connection.execute(sql)\n"
        "    await connection.close()\n"
        "asyncio.run(main(sys.argv[1]))\n"
    )
    run(installed.bin("python"), "-c", admin, f'CREATE DATABASE "{database}"', env=installed.env)
    try:
        env = installed.env | step["env"]
        url = env[prefix + "DATABASE_URL"]
        env[prefix + "DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
        target = step["run"].split()[1:]
        passed = run("make", *target, f"UV={tool('uv')}", cwd=installed.project, env=env)
        assert passed.stdout.splitlines()[-1] == "ready for production"
    finally:
        drop = f'DROP DATABASE "{database}" WITH (FORCE)'
        run(installed.bin("python"), "-c", admin, drop, env=installed.env)

    development = {prefix + "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/service.sqlite3"}
    failed = subprocess.run(
        ["make", "check-deploy", f"UV={tool('uv')}"],
        cwd=installed.project,
        env=installed.env | development,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert failed.returncode != 0
    assert f"{prefix}DOCS_ENABLED is unset" in failed.stdout
    assert failed.stdout.splitlines()[-1].endswith("not ready for production")
