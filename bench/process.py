"""Subprocesses, progress output and the one exception a case raises when it cannot run."""

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType

STARTED = time.monotonic()


class Unavailable(Exception):
    """A case cannot run here (module missing, service unreachable, tool absent)."""


class Failed(Unavailable):
    """A process the case needs ran and failed: the case is broken, reported as an error."""


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
    """Run to completion; a missing program raises `Unavailable`, a failure or a timeout
    `Failed`, with the output's tail."""
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
        raise Failed(f"{what or args[0]} timed out after {timeout:.0f}s") from exc
    except OSError as exc:
        raise Unavailable(f"{what or args[0]}: {exc}") from exc
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise Failed(f"{what or args[0]} exited {result.returncode}: {' / '.join(tail)}")
    return result


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C does, so every `finally` stops the services it started.

    Once: the services get the time their `stop` gives them, a second SIGTERM does not cut it.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log("SIGTERM: stopping the services")
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


PR_SET_PDEATHSIG = 1


def dies_with_this_process() -> Callable[[], None] | None:
    """A `preexec_fn` for long-lived children: SIGTERM from the kernel once this process dies.

    The backstop for what `stop_on_sigterm` cannot do (SIGKILL, a crash): services run in
    sessions of their own, so no signal to this process's group reaches them. Linux only; the
    thread that starts the child must outlive it (the kernel watches the thread).
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment without the caller's virtualenv, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(overrides)
    return env
