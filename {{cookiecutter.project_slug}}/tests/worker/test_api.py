"""The job API with jobs run in this process (no Redis URL)."""

import asyncio
from typing import Annotated

from fastapi import Depends
from httpx import AsyncClient
from taskiq import AsyncTaskiqTask
from taskiq.kicker import AsyncKicker

from {{ cookiecutter.project_slug }}.worker.queue import JobQueue, get_queue

from .conftest import flaky_job, wait_for


async def test_a_submitted_job_runs_and_reports_its_result(client: AsyncClient) -> None:
    response = await client.post("/jobs", json={"numbers": [1, 2, 6]})
    assert response.status_code == 202
    job = response.json()
    assert job == {
        "id": job["id"],
        "status": "queued",
        "attempt": 1,
        "result": None,
        "error": None,
    }
    assert response.headers["location"] == f"/jobs/{job['id']}"
    done = await wait_for(client, job["id"])
    assert done["status"] == "succeeded"
    assert done["result"] == {"count": 3, "total": 9.0, "mean": 3.0}


async def test_a_job_is_running_while_it_runs(client: AsyncClient, queue: JobQueue) -> None:
    release = asyncio.Event()

    async def wait_for_release() -> str:
        await release.wait()
        return "released"

    task = queue.broker.register_task(wait_for_release, task_name="wait_for_release")
    sent = await task.kiq()
    running = await wait_for(client, sent.task_id, frozenset({"running"}))
    assert running["result"] is None
    release.set()
    done = await wait_for(client, sent.task_id)
    assert (done["status"], done["result"]) == ("succeeded", "released")


async def test_a_failing_job_is_retried_until_it_succeeds(
    client: AsyncClient, queue: JobQueue
) -> None:
    sent = await queue.broker.register_task(flaky_job(failures=2), task_name="flaky").kiq()
    done = await wait_for(client, sent.task_id)
    assert done == {
        "id": sent.task_id,
        "status": "succeeded",
        "attempt": 3,
        "result": 3,
        "error": None,
    }


async def test_a_job_failing_every_time_fails_after_the_last_attempt(
    client: AsyncClient, queue: JobQueue
) -> None:
    runs = 0

    async def broken() -> None:
        nonlocal runs
        runs += 1
        raise ValueError("the input cannot be processed")

    sent = await queue.broker.register_task(broken, task_name="broken").kiq()
    done = await wait_for(client, sent.task_id)
    assert done["status"] == "failed"
    assert done["attempt"] == runs == 3
    assert done["error"] == {"type": "ValueError", "message": "the input cannot be processed"}
    assert done["result"] is None


async def test_an_idempotency_key_returns_the_same_job(
    client: AsyncClient, queue: JobQueue
) -> None:
    body = {"numbers": [4, 5]}
    first = await client.post("/jobs", json=body, headers={"Idempotency-Key": "order-17"})
    done = await wait_for(client, first.json()["id"])
    again = await client.post("/jobs", json=body, headers={"Idempotency-Key": "order-17"})
    assert again.status_code == 202
    assert again.json() == done
    assert again.headers["location"] == first.headers["location"]
    other = await client.post("/jobs", json=body, headers={"Idempotency-Key": "order-18"})
    assert other.json()["id"] != done["id"]
    await wait_for(client, other.json()["id"])
    assert len(queue.broker.result_backend.results) == 2  # type: ignore[attr-defined]


async def test_an_idempotency_key_cannot_name_other_parameters(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "order-19"}
    await client.post("/jobs", json={"numbers": [1]}, headers=headers)
    response = await client.post("/jobs", json={"numbers": [2]}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in response.json()["detail"]


async def test_an_unknown_job_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/jobs/0123456789abcdef")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Job 0123456789abcdef does not exist."


async def test_invalid_parameters_are_a_422_problem(client: AsyncClient) -> None:
    bodies: list[dict[str, object]] = [
        {"numbers": []},
        {"numbers": [1], "seconds": -1},
        {"numbers": "1, 2"},
    ]
    for body in bodies:
        response = await client.post("/jobs", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    headers = {"Idempotency-Key": "k" * 256}
    assert (await client.post("/jobs", json={"numbers": [1]}, headers=headers)).status_code == 422


async def test_unknown_fields_are_a_422_problem(client: AsyncClient) -> None:
    response = await client.post("/jobs", json={"job": "does_not_exist", "numbers": [1]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["loc"], error["type"]) == (["body", "job"], "extra_forbidden")


async def test_numbers_whose_total_overflows_are_a_422_problem(client: AsyncClient) -> None:
    for numbers in ([1e308, 1e308], [-1e308, -1e308, 1.0]):
        response = await client.post("/jobs", json={"numbers": numbers})
        assert response.status_code == 422, numbers
        [error] = response.json()["errors"]
        assert error["loc"] == ["body", "numbers"]
        assert "too large for a float" in error["message"]
    assert (await client.post("/jobs", json={"numbers": [1e308, -1e308]})).status_code == 202


async def test_the_schema_documents_interrupted_jobs_and_outages(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "interrupted" in schema["components"]["schemas"]["Job"]["properties"]["status"]["enum"]
    for path, method in (("/jobs", "post"), ("/jobs/{job_id}", "get")):
        assert "503" in schema["paths"][path][method]["responses"]


async def test_jobs_in_this_process_get_the_apps_dependencies(
    client: AsyncClient, queue: JobQueue
) -> None:
    async def uses_the_queue(job_queue: Annotated[JobQueue, Depends(get_queue)]) -> bool:
        return job_queue is queue

    queue.broker.register_task(uses_the_queue, task_name="uses_the_queue")
    sent: AsyncTaskiqTask[bool] = await AsyncKicker("uses_the_queue", queue.broker, {}).kiq()
    done = await wait_for(client, sent.task_id)
    assert (done["status"], done["result"]) == ("succeeded", True)


async def test_without_redis_there_is_no_broker_readiness_check(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
