"""The machine a run measured: printed with the table, since ratios still depend on it."""

import os
import platform
import sys
from pathlib import Path
from typing import Any

from . import wrk

LIBRARIES = (
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic-core",
    "uvicorn",
    "uvloop",
    "httptools",
    "websockets",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "redis",
    "taskiq",
    "taskiq-redis",
)


def describe() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "load_average": os.getloadavg(),
        "harness_python": sys.version.split()[0],
        "wrk": wrk.version(),
    }


def render(machine: dict[str, Any]) -> str:
    lines = [
        f"- CPU: {machine['cpus']} x {machine['cpu_model']}; memory {machine['memory_gib']} GiB",
        f"- OS: {machine['os']} (kernel {machine['kernel']})",
        f"- load average at start {_load(machine['load_average'])}, "
        f"at end {_load(machine.get('load_average_end', ()))}",
        f"- harness Python {machine['harness_python']}; wrk {machine['wrk']}",
    ]
    libraries = machine.get("libraries") or {}
    if libraries:
        python = libraries.get("python", "?")
        versions = ", ".join(f"{k} {v}" for k, v in sorted(libraries.items()) if k != "python")
        lines.append(f"- services: Python {python}; {versions}")
    for key in ("postgresql", "redis_server", "uvicorn_ws"):
        if key in machine:
            lines.append(f"- {key.replace('_', ' ')}: {machine[key]}")
    return "\n".join(lines)


def _load(values: Any) -> str:
    return " ".join(f"{v:.2f}" for v in values) or "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()
