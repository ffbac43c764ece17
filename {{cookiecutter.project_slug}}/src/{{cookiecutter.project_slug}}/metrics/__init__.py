"""Prometheus metrics: `GET /metrics`, HTTP requests, the event loop's lag{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.http_client or cookiecutter.database != "none" %}, and each module's{% endif %}.

What each metric means, how to scrape them and how to run several processes: the README.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from starlette.middleware import Middleware

from ..module import Module, Resources{% if cookiecutter.database != "none" %}, State{% endif %}

{% if cookiecutter.database != "none" %}
from .db import POOLS
{% endif %}
from .exposition import process_exited
from .http import MetricsMiddleware
from .loop import LoopMonitor
from .settings import MetricsSettings

__all__ = ["MetricsSettings", "MetricsState", "metrics_module"]


class MetricsState(TypedDict):
    loop_monitor: LoopMonitor


@asynccontextmanager
{% if cookiecutter.database != "none" %}
async def open_metrics(settings: MetricsSettings, state: State) -> AsyncIterator[Resources]:
    """Samples the loop's lag and exposes the database pool of `state` (the app's) while the
    app runs; on exit, leaves the multiprocess sums."""
{% else %}
async def open_metrics(settings: MetricsSettings) -> AsyncIterator[Resources]:
    """Samples the loop's lag while the app runs; on exit, leaves the multiprocess sums."""
{% endif %}
    monitor = LoopMonitor(
        settings.metrics_loop_interval,
        settings.metrics_slow_callback,
        settings.metrics_ready_max_lag,
        settings.metrics_ready_lag_window,
    )
    checks = {} if settings.metrics_ready_max_lag is None else {"event_loop": monitor.check}
    try:
{% if cookiecutter.database != "none" %}
        with POOLS.watching(state):
            async with monitor.running():
                yield Resources(state=MetricsState(loop_monitor=monitor), checks=checks)
{% else %}
        async with monitor.running():
            yield Resources(state=MetricsState(loop_monitor=monitor), checks=checks)
{% endif %}
    finally:
        process_exited()


def metrics_module(settings: MetricsSettings) -> Module:
    """Register it first: its middleware must wrap every other layer."""
    return Module(
        name="metrics",
{% if cookiecutter.database != "none" %}
        lifespan=lambda _app, state: open_metrics(settings, state),
{% else %}
        lifespan=lambda _app, _state: open_metrics(settings),
{% endif %}
        middleware=[Middleware(MetricsMiddleware)],
    )
