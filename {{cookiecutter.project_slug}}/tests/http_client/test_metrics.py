"""Calls to upstreams in `/metrics`: once per call, by host and status class."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import http_client_module
from {{ cookiecutter.project_slug }}.metrics import metrics_module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.metrics import value
from support.upstream import HOST, Upstream, raising, status


@pytest.fixture
async def app(settings: Settings, upstream: Upstream) -> AsyncIterator[ASGIApp]:
    enabled = [metrics_module(settings), http_client_module(settings, transport=upstream.transport)]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


async def calls(client: httpx.AsyncClient) -> list[float]:
    """Calls to the upstream answered 2xx, answered 5xx, and not answered."""
    return [
        await value(client, "http_client_requests_total", host=HOST, status=status_class)
        for status_class in ("2xx", "5xx", "error")
    ]


async def test_calls_are_counted_by_host_and_status_class(
    client: httpx.AsyncClient, upstream: Upstream
) -> None:
    before = await calls(client)
    timed = await value(client, "http_client_request_duration_seconds_count", host=HOST)
    upstream.answer = raising(httpx.ConnectError, times=1)  # retried: still one call
    assert (await client.get("/rates/EUR/USD")).status_code == 200
    upstream.answer = status(503)
    assert (await client.get("/rates/EUR/USD")).status_code == 502
    upstream.answer = raising(httpx.ConnectError)
    assert (await client.get("/rates/EUR/USD")).status_code == 502
    assert await calls(client) == [count + 1 for count in before]
    assert await value(client, "http_client_request_duration_seconds_count", host=HOST) == timed + 3
