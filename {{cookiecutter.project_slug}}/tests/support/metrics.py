"""Reading `/metrics` as a scraper does: the text, parsed into samples."""

import asyncio

from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families


async def samples(client: AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, keyed by name and labels."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def value(client: AsyncClient, name: str, **labels: str) -> float:
    """One sample of a scrape; 0 when it does not exist yet."""
    return (await samples(client)).get((name, frozenset(labels.items())), 0.0)


async def value_once_counted(
    client: AsyncClient, name: str, expected: float, **labels: str
) -> float:
    """The sample once it reaches `expected` (5 s at most, then TimeoutError). A server
    counts a request when its response has been sent, so a client that got the response
    can scrape a moment before the count: other processes' scrapes show it a little later."""
    found = await value(client, name, **labels)
    async with asyncio.timeout(5):
        while found != expected:
            await asyncio.sleep(0.02)
            found = await value(client, name, **labels)
    return found
