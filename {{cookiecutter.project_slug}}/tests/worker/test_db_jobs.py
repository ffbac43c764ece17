"""A job gets its database session the way an endpoint does."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from starlette.types import ASGIApp
from taskiq import AsyncTaskiqTask
from taskiq.kicker import AsyncKicker

from {{ cookiecutter.project_slug }}.db import database_module
from {{ cookiecutter.project_slug }}.items import items_module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

from .conftest import running, wait_for


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(environment="test", database_url=database_url, _env_file=None)


@pytest.fixture
async def app(settings: Settings, queue: JobQueue) -> AsyncIterator[ASGIApp]:
    modules = (database_module(settings), items_module(), queue_module(queue))
    async with running(settings, *modules) as app:
        yield app


async def test_a_job_reads_what_endpoints_wrote(client: AsyncClient, queue: JobQueue) -> None:
    for name in ("first", "second"):
        assert (await client.post("/items", json={"name": name})).status_code == 201
    # Dependencies are parameters too, as far as type checkers can tell: kick by name.
    sent: AsyncTaskiqTask[int] = await AsyncKicker("count_items", queue.broker, {}).kiq()
    job = await wait_for(client, sent.task_id)
    assert (job["status"], job["result"]) == ("succeeded", 2)
