"""The event loop's lag: sampled while the app runs, and optionally part of readiness."""

import asyncio
import time
from contextlib import AbstractAsyncContextManager

from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.metrics import metrics_module
from {{ cookiecutter.project_slug }}.metrics.loop import LoopMonitor
from {{ cookiecutter.project_slug }}.module import Resources
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.readiness import Readiness

from support.callers import asgi_client
from support.metrics import value


def lifespan(settings: Settings) -> AbstractAsyncContextManager[Resources]:
    """The module's lifespan alone, as the app's lifespan enters it."""
    module = metrics_module(settings)
    assert module.lifespan is not None
    return module.lifespan(FastAPI(), {})


async def test_the_lifespan_starts_and_stops_the_monitor(settings: Settings) -> None:
    async with lifespan(settings) as resources:
        monitor = resources.state["loop_monitor"]
        assert isinstance(monitor, LoopMonitor)
        assert monitor.task is not None
        assert not monitor.task.done()
        assert resources.checks == {}  # lag fails readiness only when asked to
    assert monitor.task.done()


async def test_a_held_loop_shows_as_lag_and_a_slow_callback(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"metrics_loop_interval": 0.01, "metrics_slow_callback": 0.05}
    )
    async with (
        LifespanManager(create_app(settings)) as manager,
        asgi_client(manager.app) as client,
    ):
        slow = await value(client, "event_loop_slow_callbacks_total")
        held = await value(client, "event_loop_lag_seconds_sum")
        # holds the loop on purpose, well under the blocking guard's limit
        time.sleep(0.1)  # noqa: ASYNC251
        await asyncio.sleep(0.05)  # the timer fires, late
        assert await value(client, "event_loop_slow_callbacks_total") >= slow + 1
        assert await value(client, "event_loop_lag_seconds_sum") >= held + 0.05


async def test_readiness_fails_while_lag_stays_above_the_threshold(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"metrics_ready_max_lag": 0.2, "metrics_ready_lag_window": 0.1}
    )
    async with lifespan(settings) as resources:
        monitor = resources.state["loop_monitor"]
        assert isinstance(monitor, LoopMonitor)
        readiness = Readiness(resources.checks)
        now = asyncio.get_running_loop().time()
        monitor.record(0.5, now)  # held from 0.5 s ago: longer than the window
        failures = await readiness.failures()
        assert failures.keys() == {"event_loop"}
        assert failures["event_loop"].startswith("EventLoopLagError: lag above 0.2 s for 0.")
        monitor.record(0.01, now)  # one low sample: ready again
        assert await readiness.failures() == {}


async def test_a_short_burst_of_lag_does_not_fail_readiness() -> None:
    monitor = LoopMonitor(interval=1.0, slow=1.0, max_lag=0.2, window=5.0)
    now = asyncio.get_running_loop().time()
    monitor.record(0.5, now)
    await monitor.check()  # high for 0.5 s of a 5 s window
    monitor.high_since = now - 6
    monitor.record(0.3, now)  # still high: the start of the high stretch stays
    assert monitor.high_since == now - 6
