"""Several server processes, one sum: prometheus-client's multiprocess mode."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from support.metrics import value, value_once_counted
from support.service import Service

pytestmark = pytest.mark.process


async def test_every_process_answers_with_the_sum_of_all(
    services: Callable[..., Service], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    # unprefixed, read by prometheus-client itself: the processes inherit it from this one
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    first, second = services(), services()
    await asyncio.gather(first.started(), second.started())
    route = {"method": "GET", "route": "/items", "status": "2xx"}
    async with first.client() as one, second.client() as two:
        for _ in range(3):
            assert (await one.get("/items")).status_code == 200
        assert (await two.get("/items")).status_code == 200
        assert await value_once_counted(one, "http_requests_total", 4, **route) == 4
        assert await value_once_counted(two, "http_requests_total", 4, **route) == 4
        await first.terminate()
        # what an ended process counted stays in the sums; it has no live gauges left
        assert await value(two, "http_requests_total", **route) == 4
        assert await value(two, "http_requests_in_flight") == 0
