"""How long and how hard each case runs: the full run and the smoke run."""

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

GROUPS = ("template", "http", "middleware", "observability", "auth", "db", "ws", "worker")


@dataclass(frozen=True, slots=True)
class Config:
    smoke: bool = False
    rounds: int = 5
    """Alternating rounds (A B A B ...) per case; medians and ranges are over these."""
    duration: int = 3
    """Seconds of load per wrk run (wrk takes whole seconds)."""
    warmup: int = 1
    connections: int = 64
    ws_clients: int = 1000
    ws_client_processes: int = 2
    ws_saturation_seconds: float = 4.0
    ws_latency_seconds: float = 6.0
    ws_publish_rate: float = 10.0
    ws_rounds: int = 3
    worker_jobs: int = 5000
    worker_rounds: int = 3
    enqueue_requests_seconds: int = 3
    bake_repeats: int = 5
    seed_rows: int = 100
    """Rows in the DB cases' table (the list reads the first page of 20)."""
    each_middleware: bool = True
    """One project per middleware (the smoke run compares none with the default stack)."""
    python: str = "3.12"
    groups: tuple[str, ...] = GROUPS
    workdir: Path | None = None
    keep: bool = False
    tier_times: Path | None = None
    """The template suite's tier times; None: what the suite last recorded (.cache/)."""
    profile: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


FULL = Config()

SMOKE = replace(
    FULL,
    smoke=True,
    rounds=1,
    duration=1,
    warmup=0,
    connections=8,
    ws_clients=20,
    ws_client_processes=1,
    ws_saturation_seconds=0.5,
    ws_latency_seconds=1.0,
    ws_rounds=1,
    worker_jobs=50,
    worker_rounds=1,
    enqueue_requests_seconds=1,
    bake_repeats=1,
    each_middleware=False,
    seed_rows=20,
)
