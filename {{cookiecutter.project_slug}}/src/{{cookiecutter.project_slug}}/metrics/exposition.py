"""The text a scrape gets: this process's metrics, or every process's in multiprocess mode.

With several processes (uvicorn `--workers`, gunicorn, worker processes beside the service),
each keeps its own counters: a scrape reaching one of them would see a part only. Setting
`PROMETHEUS_MULTIPROC_DIR` (in the environment of every process, before it starts) makes
prometheus-client write each process's values to files there, which every scrape sums.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
PROCESS_LOCAL: list[Collector] = []
"""Collectors reading this process's state when scraped (no file holds what they read)."""


def multiprocess() -> bool:
    """Whether values go to files shared by processes (read when prometheus-client loads)."""
    return MULTIPROCESS_DIR in os.environ


def register_process_local(collector: Collector) -> None:
    """Have every scrape of this process include what `collector` reads."""
    PROCESS_LOCAL.append(collector)
    if not multiprocess():
        REGISTRY.register(collector)


def scrape(accept: str) -> tuple[bytes, str]:
    """The body and content type of a scrape (OpenMetrics when the scraper asks for it).

    Blocking in multiprocess mode (it reads every process's file): run it in a thread.
    """
    encode, content_type = choose_encoder(accept)
    if not multiprocess():
        return encode(REGISTRY), content_type
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    for collector in PROCESS_LOCAL:
        registry.register(collector)
    return encode(registry), content_type


def process_exited() -> None:
    """Drop this process's live gauges (requests in flight, connections) from the sums."""
    if multiprocess():
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
