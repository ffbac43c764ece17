"""Shared machinery of the template's tests: baking (pytest-cookies), tools, services."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_cookies.plugin import Cookies

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


def bake(cookies: Cookies, answers: dict[str, Any]) -> Path:
    """Bake the template with `answers` through pytest-cookies; fail the test if it did not."""
    result = cookies.bake(extra_context=answers, template=str(TEMPLATE))
    if result.exit_code != 0 or result.exception is not None:
        trace = "".join(traceback.format_exception(result.exception)) if result.exception else ""
        pytest.fail(f"baking {answers} exited {result.exit_code}\n{trace}", pytrace=False)
    return result.project_path


Bakery = Callable[[Combination], Path]
"""A combination's project directory, baked on first use and kept for the session."""


def once_per_session(cookies: Cookies) -> Bakery:
    """Bakes each combination once per session (per xdist worker)."""
    projects: dict[str, Path] = {}

    def project(combination: Combination) -> Path:
        if combination.name not in projects:
            projects[combination.name] = bake(cookies, combination.answers)
        return projects[combination.name]

    return project


@pytest.fixture(scope="session")
def baked(cookies_session: Cookies) -> Bakery:
    """Pristine projects, only read by the checks."""
    return once_per_session(cookies_session)


@pytest.fixture(scope="session")
def workspace(cookies_session: Cookies) -> Bakery:
    """Projects to install and run: baked again, apart from the pristine ones."""
    return once_per_session(cookies_session)


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


@pytest.fixture(scope="session")
def pre_commit_vars(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Variables for running pre-commit and git apart from the user's cache and settings."""
    return {
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit")),
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def hook_statuses(output: str) -> list[str]:
    """What `pre-commit run` printed for each hook, in order: Passed, Failed or Skipped."""
    line = r"^.+?\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$"
    return re.findall(line, output, re.MULTILINE)
