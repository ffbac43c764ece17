"""Following a job over WebSocket: subscribe to `jobs.<id>`, then fetch the job once.

A job's final state is published when it ends, to the subscribers of that moment; a short
job may end before a client's subscription took. Subscribing first and fetching after
leaves no gap: the fetch shows a job that had ended, the message one that ends later.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings

from .asgi_websocket import ASGIWebSocket
{% if cookiecutter.request_id %}
from support.callers import HEADERS, asgi_client
{% else %}
from support.callers import asgi_client
{% endif %}

FINISHED = {"succeeded", "failed"}


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[ASGIApp]:
    """The whole service, as its registry builds it, with its lifespan running."""
    async with LifespanManager(create_app(settings)) as manager:
        yield manager.app


async def follow(service: ASGIApp, client: AsyncClient, job_id: str) -> tuple[str, Any]:
    """The job's final state as a client following it gets it, and from where."""
    async with ASGIWebSocket(service) as socket:
        await socket.subscribe(f"jobs.{job_id}")
        job = (await client.get(f"/jobs/{job_id}")).json()
        if job["status"] in FINISHED:
            return "fetched", job
        message = await socket.receive_json()
        assert message["channel"] == f"jobs.{job_id}"
        return "published", message["payload"]


async def until_finished(client: AsyncClient, job_id: str) -> Any:
    """The job once `GET /jobs/{id}` shows it finished (polling, as a client without a
    WebSocket would)."""
    for _ in range(500):
        job = (await client.get(f"/jobs/{job_id}")).json()
        if job["status"] in FINISHED:
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {job_id} still {job['status']}")


@pytest.fixture
async def http(service: ASGIApp) -> AsyncIterator[AsyncClient]:
    async with asgi_client(service) as client:
        yield client


async def test_a_job_that_ended_before_the_subscription_is_fetched(
    service: ASGIApp, http: AsyncClient
) -> None:
    job_id = (await http.post("/jobs", json={"numbers": [1, 2]})).json()["id"]
    ended = await until_finished(http, job_id)
    assert await follow(service, http, job_id) == ("fetched", ended)
    assert ended["result"] == {"count": 2, "total": 3.0, "mean": 1.5}


async def test_a_job_that_ends_later_is_published(service: ASGIApp, http: AsyncClient) -> None:
    job_id = (await http.post("/jobs", json={"numbers": [4], "seconds": 1})).json()["id"]
    source, job = await follow(service, http, job_id)
    assert source == "published"
    assert job == await until_finished(http, job_id)
    assert job["status"] == "succeeded"
{% if cookiecutter.request_id %}


async def test_messages_name_the_request_they_come_from(
    service: ASGIApp, http: AsyncClient
) -> None:
    """One id finds a notice's origin in the logs: the request that queued the job, the
    request or the connection that published."""
    with_id = {"X-Request-ID": "queue-it"}
    headers = [*HEADERS.items(), ("X-Request-ID", "socket-1")]
    async with ASGIWebSocket(service, headers=headers) as socket:
        posted = await http.post("/jobs", json={"numbers": [4], "seconds": 1}, headers=with_id)
        job_id = posted.json()["id"]
        await socket.subscribe(f"jobs.{job_id}")
        notice = await socket.receive_json()
        assert (notice["channel"], notice["request_id"]) == (f"jobs.{job_id}", "queue-it")

        await socket.subscribe("news")
        published = {"X-Request-ID": "publish-it"}
        await http.post("/channels/news/messages", json={"payload": 1}, headers=published)
        assert (await socket.receive_json())["request_id"] == "publish-it"
        await socket.send_json({"type": "publish", "channel": "news", "payload": 2})
        assert (await socket.receive_json())["request_id"] == "socket-1"
{% endif %}
