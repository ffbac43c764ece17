"""Subprocesses, progress output and the one exception a case raises when it cannot run."""

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

STARTED = time.monotonic()


class Unavailable(Exception):
    """A case cannot run here (module missing, service unreachable, tool absent)."""


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the table."""
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    what: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run to completion; failure or timeout raises `Unavailable` with the output's tail."""
    try:
        result = subprocess.run(
            [str(a) for a in args],
            cwd=cwd,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise Unavailable(f"{what or args[0]} timed out after {timeout:.0f}s") from exc
    except OSError as exc:
        raise Unavailable(f"{what or args[0]}: {exc}") from exc
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise Unavailable(f"{what or args[0]} exited {result.returncode}: {' / '.join(tail)}")
    return result


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment without the caller's virtualenv, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(overrides)
    return env
