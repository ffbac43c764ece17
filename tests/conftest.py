"""Shared machinery of the template's tests: baking, tools, services."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from combinations import TEMPLATE, Combination

pytest_plugins = ("tier_times",)  # wall time per tier -> .cache/tier-times.json

BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI") == "true"


def tool(name: str) -> str:
    """A command installed next to this interpreter (from requirements-dev.txt)."""
    path = BIN / name
    return str(path) if path.exists() else name


def run(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with its whole output."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-8000:]}\n--- stderr ---\n{result.stderr[-8000:]}",
            pytrace=False,
        )
    return result


def bake(answers: dict[str, object], output_dir: Path) -> Path:
    """Render the template with `answers` (no prompts) and return the project directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            overwrite_if_exists=False,
        )
    )


class Baker:
    """Bakes each combination once per test session (per xdist worker)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.projects: dict[str, Path] = {}

    def __call__(self, combination: Combination) -> Path:
        if combination.name not in self.projects:
            output = self.root / combination.name
            self.projects[combination.name] = bake(combination.answers, output)
        return self.projects[combination.name]


@pytest.fixture(scope="session")
def baked(tmp_path_factory: pytest.TempPathFactory) -> Baker:
    """Pristine projects, only read by the checks."""
    return Baker(tmp_path_factory.mktemp("baked"))


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Baker:
    """Projects to install and run, apart from the pristine ones."""
    return Baker(tmp_path_factory.mktemp("workspace"))


def python_for(version: str) -> str:
    """The interpreter for `version`; skipped when missing (a failure under CI=true)."""
    found = shutil.which(f"python{version}")
    if found is None:
        message = f"python{version} is not on PATH"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def require_service(host: str, port: int, what: str) -> None:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as error:
        message = f"{what} is not reachable at {host}:{port} ({error})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def uv_cache() -> dict[str, str]:
    """Environment for uv: shared download cache, never a managed-Python download."""
    env = dict(os.environ)
    env.setdefault("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.pop("VIRTUAL_ENV", None)
    return env
