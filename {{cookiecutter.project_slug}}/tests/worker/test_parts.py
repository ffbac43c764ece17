"""The parts of the queue on their own: record store, backoff, entry points."""

import random

import pytest
from taskiq import TaskiqMessage
from taskiq.schedule_sources import LabelScheduleSource

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX
from {{ cookiecutter.project_slug }}.worker import main
from {{ cookiecutter.project_slug }}.worker.jobs import summarize
from {{ cookiecutter.project_slug }}.worker.retry import BackoffRetryMiddleware
from {{ cookiecutter.project_slug }}.worker.store import MemoryStore


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
    await store.close()
    assert await store.get("c") is None


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


def test_workers_need_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PREFIX + "REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(main, "Settings", lambda: Settings(_env_file=None))
    with pytest.raises(SystemExit, match="REDIS_URL"):
        main.broker()


async def test_the_scheduler_sends_the_periodic_job(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(main, "Settings", lambda: settings)
    scheduler = main.scheduler()
    [source] = scheduler.sources
    assert isinstance(source, LabelScheduleSource)
    await source.startup()
    schedules = await source.get_schedules()
    assert [(s.task_name, s.interval) for s in schedules] == [("trim_stream", 300)]
