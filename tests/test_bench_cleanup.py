"""The benchmark harness stops the services it started when it is stopped itself.

Services run in sessions of their own, so a signal to the harness's process group (what
stopping `bash scripts/test` sends) does not reach them: the harness must stop them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A harness serving one service until it is stopped; any HTTP server will do as the service.
HARNESS = """
import sys, time
from pathlib import Path
from bench.process import stop_on_sigterm
from bench.servers import Server, serving

class FileServer(Server):
    def command(self):
        return [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(self.port)]

stop_on_sigterm()
here = Path(sys.argv[1])
server = FileServer("files", Path(sys.executable), "", cwd=here, env={}, log_dir=here)
server.ready_path = "/"
with serving(server):
    print(server.pid, flush=True)
    time.sleep(300)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for PID 1 to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def gone(pid: int, within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The harness process and the pid of its service, once the service answers."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux's /proc")
    process = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=30)
        pytest.fail(f"the harness did not start its service: {process.stderr.read()}")
    service = int(line)
    assert running(service)
    yield process, service
    process.kill()
    process.communicate(timeout=30)
    with contextlib.suppress(ProcessLookupError):  # a failed test leaves nothing behind
        os.kill(service, signal.SIGKILL)


def test_sigterm_stops_the_services_first(harness: tuple[subprocess.Popen[str], int]) -> None:
    process, service = harness
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, errors
    assert "SIGTERM: stopping the services" in errors
    assert not running(service)  # stopped and reaped by the harness itself


def test_services_die_with_a_killed_harness(harness: tuple[subprocess.Popen[str], int]) -> None:
    """SIGKILL leaves no time for cleanup: the kernel signals the services instead."""
    process, service = harness
    process.kill()
    process.wait(timeout=30)
    assert gone(service)
