"""Load from wrk (the OS package), one thread, driven by a generated Lua script."""

import json
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .process import Unavailable

MISSING = "wrk not found: install it (apt-get install wrk, brew install wrk); HTTP cases skipped"

DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_WRK {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%.1f,"p99_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

UNIQUE_BODY = r"""
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, BODY_LEFT .. TOKEN .. "-" .. counter .. BODY_RIGHT)
end
"""


@dataclass(frozen=True, slots=True)
class Load:
    """What every request of a run looks like."""

    path: str
    method: str = "GET"
    headers: Mapping[str, str] | None = None
    body: str | None = None
    """With `unique_body`, `{n}` in it becomes a token unique to each request of each run."""
    unique_body: bool = False


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    socket_errors: int
    bad_status: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def problem(self) -> str | None:
        """Why this run does not count: too many errors to be a measurement of success."""
        if self.requests == 0:
            return "no request completed"
        if self.bad_status > 0.01 * self.requests:
            return f"{self.bad_status} of {self.requests} responses were 4xx/5xx"
        if self.socket_errors > 0.01 * self.requests:
            return f"{self.socket_errors} socket errors in {self.requests} requests"
        return None


def available() -> bool:
    return shutil.which("wrk") is not None


def version() -> str:
    if not available():
        return "missing"
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).split("Copyright")[0].strip()


def script(load: Load) -> str:
    lines = [f"wrk.method = {_lua(load.method)}", f"wrk.path = {_lua(load.path)}"]
    for key, value in (load.headers or {}).items():
        lines.append(f"wrk.headers[ {_lua(key)} ] = {_lua(value)}")
    if load.body is not None:
        lines.append(f"wrk.headers[ {_lua('Content-Type')} ] = {_lua('application/json')}")
        if load.unique_body:
            left, _, right = load.body.partition("{n}")
            token = secrets.token_hex(4)
            lines.append(
                f"BODY_LEFT, BODY_RIGHT, TOKEN = {_lua(left)}, {_lua(right)}, {_lua(token)}"
            )
            lines.append(UNIQUE_BODY)
        else:
            lines.append(f"wrk.body = {_lua(load.body)}")
    lines.append(DONE)
    return "\n".join(lines)


def run(base_url: str, load: Load, *, duration: int, connections: int) -> WrkResult:
    if not available():
        raise Unavailable(MISSING)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script(load))
        lua = Path(handle.name)
    try:
        completed = subprocess.run(
            [
                "wrk",
                *("-t", "1", "-c", str(connections), "-d", f"{duration}s"),
                *("--timeout", "5s", "-s", str(lua), base_url),
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=False,
        )
    finally:
        lua.unlink(missing_ok=True)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_WRK "):
            data = json.loads(line.removeprefix("BENCH_WRK "))
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
                bad_status=data["status"],
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
            )
    raise Unavailable(f"wrk printed no summary: {completed.stderr.strip()[-300:]}")


def _lua(text: str) -> str:
    """A Lua long-bracket string literal that cannot clash with its content."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"
