"""Scrapes take no rate-limit token; refused requests are counted, without a route."""

import pytest
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.modules import Settings

from support.metrics import value


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One request per client an hour."""
    return settings.model_copy(update={"rate_limit_requests": 1, "rate_limit_window": 3600})


async def test_scrapes_are_not_limited_and_refusals_are_counted(client: AsyncClient) -> None:
    refused = {"method": "GET", "route": "<unmatched>", "status": "4xx"}
    before = await value(client, "http_requests_total", **refused)
    for _ in range(3):
        assert (await client.get("/metrics")).status_code == 200
    assert (await client.get("/items")).status_code == 200  # the one token
    assert (await client.get("/items")).status_code == 429
    assert await value(client, "http_requests_total", **refused) == before + 1
