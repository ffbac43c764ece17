"""HTTP metrics, read from `/metrics` as Prometheus would."""

from uuid import uuid4

from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import asgi_client
from support.metrics import samples, value


async def test_requests_are_counted_by_route_template_and_status_class(
    client: AsyncClient,
) -> None:
    ok = {"method": "GET", "route": "/items/{item_id}", "status": "4xx"}
    before = await value(client, "http_requests_total", **ok)
    timed = {"method": "GET", "route": "/items/{item_id}"}
    timed_before = await value(client, "http_request_duration_seconds_count", **timed)
    for _ in range(3):
        assert (await client.get(f"/items/{uuid4()}")).status_code in {404, 422}
    assert await value(client, "http_requests_total", **ok) == before + 3
    assert await value(client, "http_request_duration_seconds_count", **timed) == timed_before + 3
    assert await value(client, "http_requests_in_flight") == 0


async def test_random_paths_and_methods_add_no_series(client: AsyncClient) -> None:
    await client.get(f"/nothing-{uuid4().hex}")  # the unmatched series exists from here on
    await client.request("BREW", "/nothing")
    before = await samples(client)
    for _ in range(50):
        await client.get(f"/nothing-{uuid4().hex}")
        await client.request(f"X{uuid4().hex[:8].upper()}", f"/{uuid4().hex}")
    after = await samples(client)
    assert after.keys() == before.keys()
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "4xx"}
    key = ("http_requests_total", frozenset(unmatched.items()))
    assert after[key] == before[key] + 50
    other = {"method": "OTHER", "route": "<unmatched>", "status": "4xx"}
    assert after["http_requests_total", frozenset(other.items())] >= 50
    assert not [name for name, labels in after if "nothing-" in str(labels)]


async def test_an_unhandled_error_is_counted_as_5xx(settings: Settings, crashing: Module) -> None:
    app = create_app(settings, enabled=[*modules(settings), crashing])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        labels = {"method": "GET", "route": "/boom", "status": "5xx"}
        before = await value(client, "http_requests_total", **labels)
        assert (await client.get("/boom")).status_code == 500
        assert await value(client, "http_requests_total", **labels) == before + 1


async def test_a_scrape_is_not_a_request_of_the_service(client: AsyncClient) -> None:
    """Answered outside every other layer: not counted, not logged, not in the schema."""
    first = await samples(client)
    second = await samples(client)
    requests = {k: v for k, v in second.items() if k[0] == "http_requests_total"}
    assert requests == {k: v for k, v in first.items() if k[0] == "http_requests_total"}
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
{% if cookiecutter.request_id %}
    assert "x-request-id" not in response.headers  # the request-id layer never saw it
{% endif %}
    schema = (await client.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
    assert (await client.post("/metrics")).status_code in {404, 405}


async def test_openmetrics_when_the_scraper_asks_for_it(client: AsyncClient) -> None:
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    assert response.text.endswith("# EOF\n")
