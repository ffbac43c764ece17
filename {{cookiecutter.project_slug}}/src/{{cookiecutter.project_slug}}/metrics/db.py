"""The database pool, read when Prometheus scrapes: connections in use, and beyond the pool.

A collector rather than counters kept up to date: reading the pool costs nothing until a
scrape, and cannot drift from it. With several processes, a scrape shows the pools of the
process that answers it: each process has its own (see the README).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from ..module import State
from .exposition import register_process_local


class PoolCollector(Collector):
    """Sums the pools of the engines in every watched state (one per running app)."""

    def __init__(self) -> None:
        self.states: list[State] = []

    @contextmanager
    def watching(self, state: State) -> Iterator[None]:
        """Read `state["engine"]` at each scrape while in this block (the database module
        may start after the metrics: the state is the app's, read when scraped)."""
        self.states.append(state)
        try:
            yield
        finally:
            self.states.remove(state)

    def collect(self) -> Iterable[Metric]:
        pools = [
            engine.pool
            for state in self.states
            if isinstance(engine := state.get("engine"), AsyncEngine)
        ]
        queues = [pool for pool in pools if isinstance(pool, QueuePool)]
        in_use = GaugeMetricFamily(
            "db_pool_connections_in_use", "Database connections checked out of the pool now."
        )
        in_use.add_metric([], sum(pool.checkedout() for pool in queues))
        overflow = GaugeMetricFamily(
            "db_pool_overflow",
            "Connections open beyond the pool size now (up to DATABASE_MAX_OVERFLOW).",
        )
        overflow.add_metric([], sum(max(0, pool.overflow()) for pool in queues))
        return [in_use, overflow]


POOLS = PoolCollector()
register_process_local(POOLS)
