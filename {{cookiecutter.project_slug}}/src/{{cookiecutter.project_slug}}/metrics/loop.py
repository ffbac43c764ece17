"""The event loop's lag: how late a timer fires, sampled for as long as the app runs.

A coroutine that computes, or calls something blocking, holds the loop: every other request
and connection waits. A timer set to fire every `interval` seconds fires late by as long as
the loop was held, so its lateness measures what clients felt, without debug mode's cost.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import Counter, Histogram

LAG = Histogram(
    "event_loop_lag_seconds",
    "How late the event loop ran a timer: how long something held it.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SLOW = Counter(
    "event_loop_slow_callbacks_total",
    "Lag samples at or above METRICS_SLOW_CALLBACK: times something held the loop that long.",
)


class EventLoopLagError(Exception):
    """The loop stayed too busy for too long to take more traffic."""


class LoopMonitor:
    """Samples the lag every `interval` seconds while `running()`; `check` is a readiness
    check failing while every sample of the last `window` seconds exceeded `max_lag`."""

    def __init__(
        self, interval: float, slow: float, max_lag: float | None = None, window: float = 5.0
    ) -> None:
        self.interval = interval
        self.slow = slow
        self.max_lag = max_lag
        self.window = window
        self.task: asyncio.Task[None] | None = None
        self.high_since: float | None = None
        """Loop time since which every sample exceeded `max_lag`; None after a low one."""

    @asynccontextmanager
    async def running(self) -> AsyncIterator["LoopMonitor"]:
        self.task = asyncio.create_task(self.sample(), name="event loop lag")
        try:
            yield self
        finally:
            self.task.cancel()
            await asyncio.wait({self.task})

    async def sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.interval)
            now = loop.time()
            self.record(max(0.0, now - start - self.interval), now)

    def record(self, lag: float, now: float) -> None:
        LAG.observe(lag)
        if lag >= self.slow:
            SLOW.inc()
        if self.max_lag is None or lag <= self.max_lag:
            self.high_since = None
        elif self.high_since is None:
            self.high_since = now - lag  # the loop was held from then

    async def check(self) -> None:
        if self.high_since is None:
            return
        high_for = asyncio.get_running_loop().time() - self.high_since
        if high_for >= self.window:
            raise EventLoopLagError(f"lag above {self.max_lag} s for {high_for:.1f} s")
