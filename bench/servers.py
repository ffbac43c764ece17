"""Real servers on loopback: uvicorn with uvloop and httptools, one worker, one process each."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .process import Failed, dies_with_this_process, log

HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Server:
    """`python -m uvicorn APP` in a project's virtualenv, logging to a file."""

    def __init__(
        self,
        name: str,
        python: Path,
        app: str,
        *,
        cwd: Path,
        env: Mapping[str, str],
        log_dir: Path,
        app_dir: Path | None = None,
        ready_path: str = "/health/live",
    ) -> None:
        self.name = name
        self.python = python
        self.app = app
        self.cwd = cwd
        self.env = dict(env)
        self.app_dir = app_dir
        self.ready_path = ready_path
        self.port = free_port()
        self.log_path = log_dir / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.profile: tuple[str, Path] | None = None
        """(py-spy, output file): sample the server for as long as it runs."""
        self._profiler: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> Sequence[str]:
        args = [str(self.python), "-m", "uvicorn", self.app]
        if self.app_dir is not None:
            args += ["--app-dir", str(self.app_dir)]
        return [
            *args,
            *("--host", HOST, "--port", str(self.port)),
            *("--loop", "uvloop", "--http", "httptools", "--workers", "1"),
            *("--log-level", "warning", "--no-access-log"),
        ]

    def launch(self) -> None:
        """Start the process; `wait_ready` then waits for it to answer."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the harness, which stops it in order
                preexec_fn=dies_with_this_process(),
            )

    def wait_ready(self, timeout: float = 60) -> "Server":
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"{self.name} exited at start: {self.log_tail()}")
            if self.status(self.ready_path) == 200:
                log(f"started {self.name} on :{self.port}")
                self._start_profiler()
                return self
            time.sleep(0.1)
        self.stop()
        raise Failed(f"{self.name} not ready on {self.ready_path} in {timeout:.0f}s")

    def start(self, timeout: float = 60) -> "Server":
        self.launch()
        return self.wait_ready(timeout)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        profiler, self._profiler = self._profiler, None
        if profiler is not None:
            try:  # py-spy writes its file when the process it samples is gone
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()

    def _start_profiler(self) -> None:
        if self.profile is None or self.process is None:
            return
        py_spy, output = self.profile
        output.parent.mkdir(parents=True, exist_ok=True)
        self._profiler = subprocess.Popen(
            [
                py_spy,
                *("record", "--pid", str(self.process.pid), "--format", "raw"),
                *("--rate", "200", "--nonblocking", "--output", str(output)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=dies_with_this_process(),
        )

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def status(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def request(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " / ".join(text[-lines:]) or "(empty log)"

    def __enter__(self) -> "Server":
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServiceServer(Server):
    """The generated service as its users serve it: `python -m <package>` (`make run`, the
    Dockerfile), listening where its settings say, with its own access line."""

    def __init__(
        self, name: str, python: Path, package: str, launcher: Path | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name, python, package, **kwargs)
        self.launcher = launcher
        """A script of bench/apps that changes something, then runs `-m <package>`."""
        prefix = package.upper() + "_"
        self.env |= {
            prefix + "HOST": HOST,
            prefix + "PORT": str(self.port),
            prefix + "LOG_LEVEL": "warning",
            "BENCH_PACKAGE": package,
        }

    def command(self) -> Sequence[str]:
        if self.launcher is not None:
            return [str(self.python), str(self.launcher)]
        return [str(self.python), "-m", self.app]


class FastapiRunServer(Server):
    """An app file served by `fastapi run`, as FastAPI's docs serve it in production:
    uvicorn's defaults, its text access line on every request."""

    def __init__(self, name: str, python: Path, app: str, **kwargs: Any) -> None:
        super().__init__(name, python, app, **kwargs)
        # `fastapi run` imports the file as part of the `bench` package; its siblings are
        # imported as top-level modules, as uvicorn's `--app-dir` lets the other baselines.
        self.env["PYTHONPATH"] = str(self.app_dir)

    def command(self) -> Sequence[str]:
        assert self.app_dir is not None
        return [
            str(self.python),
            *("-m", "fastapi", "run", str(self.app_dir / self.app)),
            *("--host", HOST, "--port", str(self.port)),
        ]


@contextlib.contextmanager
def serving(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Start all at once, wait until each answers; stop all (also when one fails to start)."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
