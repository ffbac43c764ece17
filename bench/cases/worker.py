"""Worker: jobs/s end to end through Redis with one worker process; API enqueue latency."""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import wrk
from ..config import Config
from ..context import CLIENTS, Context, guarded, latency_note, throughput_row
from ..process import Unavailable, dies_with_this_process, log, run
from ..projects import Project, base_answers
from ..results import Row, Target
from ..servers import reachable, serving
from ..stats import Summary

GROUP = "Worker"
REDIS = ("127.0.0.1", 6379)
TARGET = Target(">=", 1_000)


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {"worker": base_answers(background_worker=True)} if reachable(*REDIS) else {}


def cases(ctx: Context) -> list[Row]:
    return guarded(GROUP, "jobs through Redis", lambda: _run(ctx))


def _run(ctx: Context) -> list[Row]:
    if not reachable(*REDIS):
        raise Unavailable("Redis not reachable on 127.0.0.1:6379")
    project = ctx.projects.get("worker", base_answers(background_worker=True))
    if not (project.has("worker/main") and project.has("worker/queue")):
        raise Unavailable("the template has no background_worker module yet")
    prefix = project.slug.upper() + "_"
    settings = {
        prefix + "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        prefix + "WORKER_QUEUE": f"bench-{ctx.run_id}:jobs",
        prefix + "JOB_TTL": "600",  # leftovers expire soon
    }
    env = ctx.project_env(project, **settings)
    try:
        return _measure(ctx, project, env, settings)
    finally:  # after the worker stopped: nothing writes under the queue's name any more
        run(
            [project.python, CLIENTS / "worker_jobs.py", project.slug, "clean"],
            env=env,
            timeout=120,
            what="worker_jobs clean",
        )


def _measure(
    ctx: Context, project: Project, env: dict[str, str], settings: dict[str, str]
) -> list[Row]:
    config = ctx.config
    rows: list[Row] = []
    with _worker(ctx, project, env):
        result = run(
            [
                project.python,
                CLIENTS / "worker_jobs.py",
                project.slug,
                str(config.worker_jobs),
                str(config.worker_rounds),
            ],
            env=env,
            timeout=600,
            what="worker_jobs",
        )
        data = json.loads(result.stdout.strip().splitlines()[-1])
        log(f"  worker: {', '.join(f'{x:,.0f}' for x in data['jobs_per_second'])} jobs/s")
        submit = Summary.of(data["submit_per_second"])
        rows.append(
            Row(
                GROUP,
                f"{config.worker_jobs} jobs, 1 worker process: submit -> acknowledged",
                "jobs/s",
                value=Summary.of(data["jobs_per_second"]),
                target=TARGET,
                note=f"submitting alone: {submit.median:,.0f} jobs/s",
            )
        )
        rows += guarded(GROUP, "POST /jobs", lambda: _enqueue(ctx, project, settings))
    return rows


def _enqueue(ctx: Context, project: Project, settings: dict[str, str]) -> list[Row]:
    ctx.need_wrk()
    api = ctx.service("jobs-api", project, ready_path="/health/ready", **settings)
    load = wrk.Load("/jobs", "POST", body='{"numbers": [1, 2, 3]}')
    with serving(api):
        results = [
            wrk.run(api.url, load, duration=ctx.config.enqueue_requests_seconds, connections=1)
            for _ in range(ctx.config.worker_rounds)
        ]
    row = throughput_row(GROUP, "POST /jobs, 1 connection: enqueue latency", results)
    if row.unavailable is None:
        row.measure = "req/s"
        row.note = latency_note(results)
    return [row]


@contextmanager
def _worker(ctx: Context, project: Project, env: dict[str, str]) -> Iterator[None]:
    taskiq = project.python.parent / "taskiq"
    log_path = ctx.log_dir / "taskiq-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [taskiq, "worker", f"{project.slug}.worker.main:broker", "--workers", "1"],
            cwd=project.path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=dies_with_this_process(),
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
