"""The parts of the queue on their own: record store, backoff, entry points."""

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from taskiq import TaskiqMessage
from taskiq.cli.worker.args import WorkerArgs
from taskiq.exceptions import SendTaskError
from taskiq.schedule_sources import LabelScheduleSource

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX
from {{ cookiecutter.project_slug }}.worker import __main__ as worker_command
from {{ cookiecutter.project_slug }}.worker import main
from {{ cookiecutter.project_slug }}.worker.errors import JobsUnavailableError, redis_outages
from {{ cookiecutter.project_slug }}.worker.jobs import summarize
from {{ cookiecutter.project_slug }}.worker.queue import JobQueue
from {{ cookiecutter.project_slug }}.worker.retry import BackoffRetryMiddleware
from {{ cookiecutter.project_slug }}.worker.store import MemoryStore, RedisStore

import support.service


async def test_memory_store_forgets_expired_records() -> None:
    store = MemoryStore(ttl=0)
    await store.set("a", "1")
    assert await store.get("a") is None
    assert await store.claim("a", "2") is None


async def test_memory_store_keeps_at_most_max_records() -> None:
    store = MemoryStore(ttl=60, max_records=2)
    for key in "abc":
        await store.set(key, key.upper())
    assert [await store.get(key) for key in "abc"] == [None, "B", "C"]
    assert await store.claim("b", "other") == "B"
    await store.delete("b")
    assert await store.claim("b", "other") is None


def test_retry_delays_grow_exponentially_up_to_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retry = BackoffRetryMiddleware(max_attempts=10, delay=0.5, max_delay=3.0)
    message = TaskiqMessage(task_id="1", task_name="t", labels={}, args=[], kwargs={})
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    assert [retry.make_delay(message, n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    monkeypatch.setattr(random, "uniform", lambda low, high: low)
    assert retry.make_delay(message, 4) == 0


async def test_the_example_job_summarizes_its_numbers() -> None:
    summary = await summarize([2.0, 4.0, 9.0])
    assert (summary.count, summary.total, summary.mean) == (3, 15.0, 5.0)


async def test_the_example_job_refuses_a_total_that_overflows() -> None:
    with pytest.raises(ValueError, match="too large for a float"):
        await summarize([1e308, 1e308])


def test_every_redis_client_shares_one_pool_with_the_settings_timeouts() -> None:
    settings = Settings(
        _env_file=None,
        redis_url="redis://127.0.0.1:1/0",
        redis_timeout=0.7,
        redis_connect_timeout=0.3,
        redis_retries=2,
        redis_health_check_interval=4,
    )
    queue = JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
    assert queue.stream is not None
    pool = queue.stream.connection_pool
    assert isinstance(pool, BlockingConnectionPool)
    assert (pool.max_connections, pool.timeout) == (50, 0.7), "waiting for one is bounded too"
    options = pool.connection_kwargs
    assert (options["socket_timeout"], options["socket_connect_timeout"]) == (0.7, 0.3)
    assert (options["health_check_interval"], options["retry"].get_retries()) == (4, 2)
    assert queue.stream.block < 700, "a blocking read ends before the command times out"
    assert queue.stream.redis.connection_pool is pool
    assert queue.broker.result_backend.redis_pool is pool  # type: ignore[attr-defined]
    assert isinstance(queue.store, RedisStore)
    assert queue.store.redis.connection_pool is pool


def test_redis_outages_are_jobs_unavailable_however_they_arrive() -> None:
    outages: list[BaseException] = [RedisConnectionError("refused"), TimeoutError()]
    for outage in outages:
        with pytest.raises(JobsUnavailableError), redis_outages():
            raise outage
        with pytest.raises(JobsUnavailableError), redis_outages():
            raise SendTaskError from outage  # how taskiq reports a failed send
    with pytest.raises(SendTaskError), redis_outages():
        raise SendTaskError from ValueError("not an outage")
    with pytest.raises(ValueError, match="not an outage"), redis_outages():
        raise ValueError("not an outage")


def test_the_worker_command_passes_its_defaults_and_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0", shutdown_timeout=3)
    monkeypatch.setattr(worker_command, "worker_settings", lambda: settings)
    ran: list[WorkerArgs] = []

    def run_worker(args: WorkerArgs) -> Any:
        ran.append(args)
        return None

    monkeypatch.setattr(worker_command, "run_worker", run_worker)
{% if cookiecutter.request_id %}
    json_lines: list[bool] = []
    monkeypatch.setattr(worker_command, "json_worker_logging", lambda: json_lines.append(True))
{% endif %}
    monkeypatch.setattr(sys, "argv", ["worker", "--workers", "3"])
    with pytest.raises(SystemExit) as exited:
        worker_command.main()
    assert exited.value.code is None
    [args] = ran
    assert (args.broker, args.workers, args.wait_tasks_timeout) == (worker_command.BROKER, 3, 3.0)
{% if cookiecutter.request_id %}
    assert json_lines == [True]
    assert not args.configure_logging  # taskiq's text lines would come instead
{% endif %}


@pytest.mark.process
def test_the_worker_command_without_redis_exits_at_once_with_one_line(tmp_path: Path) -> None:
    """taskiq restarts a worker child that exits: the check must come before any child."""
    done = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.project_slug }}.worker"],
        env=support.service.hermetic_environ(),
        cwd=tmp_path,
        capture_output=True,
        timeout=60,  # a crash loop never ends
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.decode() == (
        f"Set {ENV_PREFIX}REDIS_URL: without Redis, jobs run inside the service itself.\n"
    )


def test_workers_need_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PREFIX + "REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(main, "load_settings", lambda: Settings(_env_file=None))
    with pytest.raises(SystemExit, match="REDIS_URL"):
        main.broker()


async def test_the_scheduler_sends_the_periodic_job(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(main, "load_settings", lambda: settings)
    scheduler = main.scheduler()
    [source] = scheduler.sources
    assert isinstance(source, LabelScheduleSource)
    await source.startup()
    schedules = await source.get_schedules()
    assert [(s.task_name, s.interval) for s in schedules] == [("trim_stream", 300)]
