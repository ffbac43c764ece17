"""Reading `/metrics` as a scraper does: the text, parsed into samples."""

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
