"""Jobs per second through Redis, end to end: submit with the service's own queue, wait for acks.

Runs in a generated project's virtualenv, configured by the service's environment (Redis
URL, a queue name unique to this run), while one `taskiq worker` process consumes.
`python worker_jobs.py PACKAGE JOBS ROUNDS` prints one JSON line. Done means the workers'
consumer group has read every job and has none pending: taskiq acknowledges a job once
its result is saved. `python worker_jobs.py PACKAGE clean` deletes every key under the
run's queue name (the stream, results, statuses).
"""

import asyncio
import importlib
import json
import sys
import time
from typing import Any

from redis.asyncio import Redis

CONCURRENCY = 64
TIMEOUT = 120.0
GROUP = "workers"


async def _wait_done(redis: Redis, stream: str, total: int) -> float:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        groups = await redis.xinfo_groups(stream)
        group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
        read = (group or {}).get("entries-read") or 0
        if group is not None and read >= total and group["pending"] == 0:
            return time.monotonic()
        await asyncio.sleep(0.005)
    raise SystemExit(f"jobs not done within {TIMEOUT} s")


async def main(package: str, jobs: int, rounds: int) -> dict[str, Any]:
    settings = importlib.import_module(f"{package}.modules").Settings()
    queue_module = importlib.import_module(f"{package}.worker.queue")
    request = importlib.import_module(f"{package}.worker.schemas").SummaryRequest(numbers=[1, 2, 3])
    queue = queue_module.JobQueue(settings, shutdown_timeout=settings.shutdown_timeout)
    stream = settings.worker_queue
    redis = Redis.from_url(settings.redis_url)
    await queue.broker.startup()
    limit = asyncio.Semaphore(CONCURRENCY)

    async def submit() -> str:
        async with limit:
            job = await queue.submit(queue.summarize, request)
            return str(job.id)

    submitted = 0
    results: dict[str, Any] = {"jobs_per_second": [], "submit_per_second": []}
    try:
        warmup = [await submit() for _ in range(10)]  # the worker is up once these are done
        submitted += len(warmup)
        await _wait_done(redis, stream, submitted)
        for _ in range(rounds):
            started = time.monotonic()
            ids = await asyncio.gather(*(submit() for _ in range(jobs)))
            submitted_at = time.monotonic()
            submitted += len(ids)
            done = await _wait_done(redis, stream, submitted)
            results["jobs_per_second"].append(jobs / (done - started))
            results["submit_per_second"].append(jobs / (submitted_at - started))
            for job_id in (ids[0], ids[-1]):
                job = await queue.get(job_id)
                if job is None or job.status != "succeeded":
                    raise SystemExit(f"job {job_id} ended as {job}")
    finally:
        await queue.broker.shutdown()
        await redis.aclose()
    return results


async def clean(package: str) -> None:
    settings = importlib.import_module(f"{package}.modules").Settings()
    async with Redis.from_url(settings.redis_url) as redis:
        async for key in redis.scan_iter(match=f"{settings.worker_queue}*", count=1000):
            await redis.delete(key)


if __name__ == "__main__":
    if sys.argv[2] == "clean":
        asyncio.run(clean(sys.argv[1]))
    else:
        print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
