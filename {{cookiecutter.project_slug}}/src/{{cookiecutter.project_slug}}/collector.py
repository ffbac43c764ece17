"""The garbage collector, tuned for a server that keeps many objects alive for long.

A full collection walks every object the collector tracks and stops the event loop while
it does, for every request and connection at once: the more clients are connected, the
longer (BENCHMARKS.md has the figures). Python starts one
after enough young collections, and a young collection after 700 allocations by default,
so a busy server collects in full every few seconds. A higher young threshold makes every
kind of collection rarer (young ones grow, and stay short); freezing what start-up left
alive (modules, settings, pools) takes it out of all later collections.
"""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .module import Module, Resources


@asynccontextmanager
async def tuned_collector(young_threshold: int) -> AsyncIterator[Resources]:
    """While the app runs: `young_threshold` allocations between young collections, and
    start-up's survivors frozen. 0 leaves Python's settings alone."""
    if not young_threshold:
        yield Resources()
        return
    previous = gc.get_threshold()
    gc.collect()  # what is garbage now must not be frozen for good
    gc.freeze()
    gc.set_threshold(young_threshold)
    try:
        yield Resources()
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def collector_module(young_threshold: int) -> Module:
    """Last in the start-up order, so it freezes what every other module opened."""
    return Module(name="collector", lifespan=lambda _app, _state: tuned_collector(young_threshold))
