"""An app with the job queue alone, so tests can register jobs of their own on it."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from httpx import AsyncClient
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.worker import queue_module
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue

import support.relay
import support.service
{% if cookiecutter.auth == "oidc" %}
from support import identity
{% endif %}

WORKER = "{{ cookiecutter.project_slug }}.worker"
FINISHED = frozenset({"succeeded", "failed"})
Start = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Jobs run in this process; retries follow at once."""
    return settings.model_copy(update={"job_retry_delay": 0})


@pytest.fixture
def queue(settings: Settings) -> JobQueue:
    return JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)


@pytest.fixture
async def app(settings: Settings, queue: JobQueue) -> AsyncIterator[ASGIApp]:
    async with running(settings, queue_module(queue)) as app:
        yield app


@asynccontextmanager
async def running(settings: Settings, *modules: Module) -> AsyncIterator[ASGIApp]:
{% if cookiecutter.auth == "oidc" %}
    """An app of `modules`, its lifespan entered, with the auth module: the job routes take
    a principal."""
    async with LifespanManager(
        create_app(settings, enabled=[identity.verifying(settings), *modules])
    ) as manager:
        yield manager.app
{% else %}
    """An app of `modules`, its lifespan entered."""
    async with LifespanManager(create_app(settings, enabled=list(modules))) as manager:
        yield manager.app
{% endif %}


def flaky_job(failures: int) -> Callable[[], Awaitable[int]]:
    """A job that raises `ConnectionError` on its first `failures` runs, then returns how
    many runs it took."""
    runs = 0

    async def flaky() -> int:
        nonlocal runs
        runs += 1
        if runs <= failures:
            raise ConnectionError(f"run {runs} failed")
        return runs

    return flaky


async def eventually(probe: Callable[[], Awaitable[Any]], done: Callable[[Any], bool]) -> Any:
    """What `probe` returns once `done` accepts it (a minute at most, then TimeoutError)."""
    async with asyncio.timeout(60):
        while True:
            value = await probe()
            if done(value):
                return value
            await asyncio.sleep(0.02)


async def wait_for(
    client: AsyncClient, job_id: str, statuses: frozenset[str] = FINISHED
) -> dict[str, Any]:
    """The job as `GET /jobs/{id}` shows it once its status is one of `statuses`."""

    async def get() -> dict[str, Any]:
        response = await client.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        return job

    job: dict[str, Any] = await eventually(get, lambda job: job["status"] in statuses)
    return job


@pytest.fixture
def redis_settings(redis_url: str) -> Iterator[Settings]:
    """A stream of this test's own; an unacknowledged job is taken over after 2 s.

    Deletes the test's keys afterwards: the Redis is shared.
    """
    run = f"test-{uuid4().hex}"
    queue = f"{run}:jobs"
    yield Settings(
        environment="test",
        _env_file=None,
        redis_url=redis_url,
        worker_queue=queue,
        job_redelivery_timeout=2,
        job_retry_delay=0,
{% if cookiecutter.websockets %}
        realtime_redis_prefix=f"{run}:realtime:",
{% endif %}
    )
    with SyncRedis.from_url(redis_url) as client:
        for key in client.scan_iter(f"{queue}*"):
            client.delete(key)


@pytest.fixture
async def redis(redis_settings: Settings) -> AsyncIterator[Redis]:
    assert redis_settings.redis_url is not None
    client = Redis.from_url(redis_settings.redis_url)
    yield client
    await client.aclose()


def environ(settings: Settings, **more: str) -> dict[str, str]:
    """Variables for a process of this project with the test's Redis settings (no prefix)."""
    names = {
        "REDIS_URL": str(settings.redis_url),
        "WORKER_QUEUE": settings.worker_queue,
        "JOB_REDELIVERY_TIMEOUT": str(settings.job_redelivery_timeout),
{% if cookiecutter.websockets %}
        "REALTIME_REDIS_PREFIX": settings.realtime_redis_prefix,
{% endif %}
    }
    return names | more


@pytest.fixture
def start(redis_settings: Settings, tmp_path: Path) -> Iterator[Start]:
    """Starts `python -m <args>` with the test's settings (`start(..., NAME=value)` adds some);
    stops what is left at the end."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str, log: Path | None = None, **settings: str) -> subprocess.Popen[bytes]:
        """`log`: a file for the process's stderr (default: the test's)."""
        env = support.service.hermetic_environ(
            ENVIRONMENT="test", **environ(redis_settings, **settings)
        )
        with ExitStack() as files:
            stderr = files.enter_context(log.open("ab")) if log else None
            # A session of its own: a signal to the group reaches taskiq's child processes too.
            process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", *args],
                cwd=tmp_path,
                env=env,
                start_new_session=True,
                stderr=stderr,
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_worker(start: Start, **settings: str) -> subprocess.Popen[bytes]:
    return start(WORKER, **settings)


@pytest.fixture
async def relay(redis_url: str) -> AsyncIterator[support.relay.Relay]:
    """A relay in front of the test Redis, to cut or stall it for one test."""
    parts = urlsplit(redis_url)
    async with support.relay.Relay(parts.hostname or "127.0.0.1", parts.port or 6379) as relay:
        yield relay


def relayed(url: str, relay: support.relay.Relay) -> str:
    """`url` through `relay`: same database and credentials, the relay's address."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    address = f"127.0.0.1:{relay.port}"
    return parts._replace(netloc=f"{credentials}@{address}" if credentials else address).geturl()
