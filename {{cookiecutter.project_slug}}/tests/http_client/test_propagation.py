"""The id of the request being served goes upstream as `X-Request-ID`."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import http_client_module
from {{ cookiecutter.project_slug }}.http_client.client import create_client
from {{ cookiecutter.project_slug }}.middleware.request_id import REQUEST_ID, request_id_module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.upstream import URL, Upstream, raising


@pytest.fixture
async def app(settings: Settings, upstream: Upstream) -> AsyncIterator[ASGIApp]:
    enabled = [
        request_id_module(settings),
        http_client_module(settings, transport=upstream.transport),
    ]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


async def test_the_inbound_id_goes_upstream(client: AsyncClient, upstream: Upstream) -> None:
    response = await client.get("/rates/EUR/USD", headers={"X-Request-ID": "order-42"})
    assert response.status_code == 200
    [request] = upstream.requests
    assert request.headers["X-Request-ID"] == "order-42"


async def test_a_generated_id_goes_upstream(client: AsyncClient, upstream: Upstream) -> None:
    response = await client.get("/rates/EUR/USD")
    [request] = upstream.requests
    assert request.headers["X-Request-ID"] == response.headers["X-Request-ID"]


async def test_every_retry_carries_the_id(client: AsyncClient, upstream: Upstream) -> None:
    upstream.answer = raising(httpx.ConnectError, times=1)
    response = await client.get("/rates/EUR/USD", headers={"X-Request-ID": "order-42"})
    assert response.status_code == 200
    assert [r.headers["X-Request-ID"] for r in upstream.requests] == ["order-42", "order-42"]


async def test_a_call_keeps_an_id_of_its_own(settings: Settings, upstream: Upstream) -> None:
    async with create_client(settings, upstream.transport) as client:
        token = REQUEST_ID.set("served")
        try:
            await client.get(f"{URL}/rates/EUR/USD", headers={"X-Request-ID": "own"})
        finally:
            REQUEST_ID.reset(token)
    [request] = upstream.requests
    assert request.headers["X-Request-ID"] == "own"


async def test_outside_a_request_no_id_is_sent(settings: Settings, upstream: Upstream) -> None:
    async with create_client(settings, upstream.transport) as client:
        await client.get(f"{URL}/rates/EUR/USD")
    [request] = upstream.requests
    assert "X-Request-ID" not in request.headers
