"""The example route: the upstream's answer, or a problem saying which way it failed."""

import asyncio
import logging

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import http_client_module
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

from support.upstream import HOST, Answer, Upstream, raising, status

PROBLEM = "application/problem+json"


async def test_a_rate_comes_from_the_upstream(client: AsyncClient, upstream: Upstream) -> None:
    response = await client.get("/rates/EUR/USD")
    assert response.status_code == 200
    assert response.json() == {"base": "EUR", "quote": "USD", "rate": 1.0832, "date": "2025-01-31"}
    [request] = upstream.requests
    assert str(request.url) == f"http://{HOST}/v1/rates/EUR/USD"


async def test_an_unknown_currency_is_404(client: AsyncClient, upstream: Upstream) -> None:
    upstream.answer = status(404)
    response = await client.get("/rates/EUR/XXX")
    assert response.status_code == 404
    assert response.json()["detail"] == "No rate from EUR to XXX."


async def test_a_malformed_code_never_reaches_the_upstream(
    client: AsyncClient, upstream: Upstream
) -> None:
    assert (await client.get("/rates/eur/USD")).status_code == 422
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (status(500), 502),
        (status(503), 502),
        (status(400), 502),  # the upstream refused what this service sent: not the client's fault
        (raising(httpx.ConnectError), 502),
        (raising(httpx.RemoteProtocolError), 502),
        (raising(httpx.ReadTimeout), 504),
        (raising(httpx.ConnectTimeout), 504),
        (raising(httpx.PoolTimeout), 504),
    ],
)
async def test_upstream_failures_are_problems_naming_no_host(
    client: AsyncClient,
    upstream: Upstream,
    caplog: pytest.LogCaptureFixture,
    answer: Answer,
    expected: int,
) -> None:
    upstream.answer = answer
    response = await client.get("/rates/EUR/USD")
    assert response.status_code == expected
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == expected
    assert HOST not in response.text
    [line] = [r for r in caplog.records if r.name.endswith("http_client.errors")]
    assert line.levelno == logging.WARNING
    assert f"upstream {HOST} failed on GET /rates/EUR/USD" in line.getMessage()


async def test_an_error_raised_outside_a_call_is_502_too(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Code may raise httpx's errors itself; they carry no request, so no host to log."""
    broken = APIRouter()

    @broken.get("/broken")
    async def fail() -> None:
        raise httpx.ConnectError("no route to the upstream")

    enabled = [http_client_module(settings), Module(name="broken", routers=[broken])]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        transport = ASGITransport(manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/broken")
    assert response.status_code == 502
    assert "upstream unknown failed on GET /broken" in caplog.text


async def test_an_unusable_answer_is_502(
    client: AsyncClient, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    async def not_a_rate(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"rate": "high"})

    upstream.answer = not_a_rate
    response = await client.get("/rates/EUR/USD")
    assert response.status_code == 502
    assert HOST not in response.text
    assert f"upstream {HOST} failed" in caplog.text


async def test_an_upstream_past_the_deadline_is_504(settings: Settings, upstream: Upstream) -> None:
    async def silent(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("cut off before")

    upstream.answer = silent
    quick = settings.model_copy(update={"http_client_deadline": 0.1})
    module = http_client_module(quick, transport=upstream.transport)
    async with LifespanManager(create_app(quick, enabled=[module])) as manager:
        transport = ASGITransport(manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/rates/EUR/USD")
    assert response.status_code == 504


async def test_with_no_upstream_configured_the_service_is_ready_and_the_route_503(
    settings: Settings, upstream: Upstream
) -> None:
    unset = settings.model_copy(update={"rates_url": None})
    module = http_client_module(unset, transport=upstream.transport)
    async with LifespanManager(create_app(unset, enabled=[module])) as manager:
        transport = ASGITransport(manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/health/ready")).status_code == 200
            response = await client.get("/rates/EUR/USD")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert f"{ENV_PREFIX}RATES_URL" in response.json()["detail"]
    assert upstream.requests == []
