"""A job gets the service's HTTP client the way a route does: the very same client."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from httpx import AsyncClient
from pydantic import HttpUrl
from starlette.types import ASGIApp
from taskiq import AsyncTaskiqTask
from taskiq.kicker import AsyncKicker

from {{ cookiecutter.project_slug }}.http_client import HttpClient, http_client_module
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.http_jobs import JobHttpClient
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

from .conftest import Start, running, start_worker, wait_for
from support.upstream import RATE, URL, Upstream, served

seen: list[httpx.AsyncClient] = []
probe = APIRouter()


@probe.get("/probe")
async def remember(client: HttpClient) -> None:
    seen.append(client)


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", rates_url=HttpUrl(URL), job_retry_delay=0, _env_file=None)


@pytest.fixture
async def app(settings: Settings, queue: JobQueue) -> AsyncIterator[ASGIApp]:
    seen.clear()
    async with running(
        settings,
        http_client_module(settings, transport=Upstream().transport),
        queue_module(queue),
        Module(name="probe", routers=[probe]),
    ) as app:
        yield app


async def test_a_job_gets_the_client_routes_get(client: AsyncClient, queue: JobQueue) -> None:
    async def remember_in_a_job(client: JobHttpClient) -> None:
        seen.append(client)

    queue.broker.register_task(remember_in_a_job, task_name="remember_in_a_job")
    sent: AsyncTaskiqTask[None] = await AsyncKicker("remember_in_a_job", queue.broker, {}).kiq()
    assert (await wait_for(client, sent.task_id))["status"] == "succeeded"
    assert (await client.get("/probe")).status_code == 200
    [in_job, in_route] = seen
    assert in_job is in_route


async def test_the_example_job_fetches_a_rate(client: AsyncClient, queue: JobQueue) -> None:
    # Dependencies are parameters too, as far as type checkers can tell: kick by name.
    kicker: AsyncKicker[..., object] = AsyncKicker("fetch_rate", queue.broker, {})
    sent = await kicker.kiq(base="EUR", quote="USD")
    job = await wait_for(client, sent.task_id)
    assert (job["status"], job["result"]) == ("succeeded", {"base": "EUR", "quote": "USD", **RATE})


@pytest.mark.process
async def test_a_worker_process_calls_upstreams_with_the_client_it_opened(
    redis_settings: Settings, start: Start
) -> None:
    """A worker runs the app's lifespan, so its jobs get a client made from its settings."""
    queue = JobQueue(redis_settings, shutdown_timeout=redis_settings.shutdown_timeout)
    with served() as (url, received):
        await queue.broker.startup()
        try:
            start_worker(start, RATES_URL=url)
            kicker: AsyncKicker[..., object] = AsyncKicker("fetch_rate", queue.broker, {})
            sent = await kicker.kiq(base="EUR", quote="USD")
            result = await sent.wait_result(timeout=60)
        finally:
            await queue.broker.shutdown()
    assert result.return_value == {"base": "EUR", "quote": "USD", **RATE}
    assert received == ["GET /v1/rates/EUR/USD HTTP/1.1"]
