"""One client per process: the settings' timeouts, opened and closed by the lifespan."""

import logging
import socket

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.http_client import HttpClient, http_client_module
from {{ cookiecutter.project_slug }}.http_client.client import create_client
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.upstream import URL, Upstream


async def test_every_call_carries_the_settings_timeouts(
    settings: Settings, upstream: Upstream
) -> None:
    timeouts = {
        "http_client_connect_timeout": 1.5,
        "http_client_read_timeout": 7.0,
        "http_client_write_timeout": 3.0,
        "http_client_pool_timeout": 0.5,
    }
    async with create_client(settings.model_copy(update=timeouts), upstream.transport) as client:
        await client.get(f"{URL}/rates/EUR/USD")
    [request] = upstream.requests
    assert request.extensions["timeout"] == {"connect": 1.5, "read": 7.0, "write": 3.0, "pool": 0.5}


async def test_the_app_shares_one_client_and_closes_it_at_shutdown(
    settings: Settings, upstream: Upstream
) -> None:
    seen: list[httpx.AsyncClient] = []
    probe = APIRouter()

    @probe.get("/probe")
    async def remember(client: HttpClient) -> None:
        seen.append(client)

    enabled = [
        http_client_module(settings, transport=upstream.transport),
        Module(name="probe", routers=[probe]),
    ]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        transport = ASGITransport(manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            for _ in range(2):
                assert (await client.get("/probe")).status_code == 200
        [first, second] = seen
        assert first is second
        assert not first.is_closed
    assert first.is_closed


async def test_a_refused_connection_is_retried_then_raised(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The real transport, against a local port nothing listens on."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    caplog.set_level(logging.INFO, "{{ cookiecutter.project_slug }}.http_client")
    async with create_client(settings) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/")
    retries = [vars(record)["retry"] for record in caplog.records if "retry" in vars(record)]
    assert retries == list(range(1, settings.http_client_retries + 1))
