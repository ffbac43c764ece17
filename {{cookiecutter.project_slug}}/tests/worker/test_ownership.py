"""Each job is its submitter's: `GET /jobs/{id}` shows it to no one else, an idempotency key
names one job per submitter, and the job knows who submitted it."""

from typing import Annotated

from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel
from starlette.types import ASGIApp
from taskiq import Context, TaskiqDepends

from {{ cookiecutter.project_slug }}.worker.queue import JobQueue
from {{ cookiecutter.project_slug }}.worker.status import SUBMITTER

from .conftest import wait_for
from support.identity import caller

ALICE, BOB = caller(sub="alice"), caller(sub="bob")
SUMMARY = {"numbers": [1, 2]}


async def test_a_job_is_shown_to_its_submitter_alone(client: AsyncClient) -> None:
    job_id = (await client.post("/jobs", json=SUMMARY, headers=ALICE)).json()["id"]
    assert (await client.get(f"/jobs/{job_id}", headers=ALICE)).status_code == 200
    hidden = await client.get(f"/jobs/{job_id}", headers=BOB)
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == f"Job {job_id} does not exist."


async def test_the_job_api_needs_a_token(app: ASGIApp, client: AsyncClient) -> None:
    job_id = (await client.post("/jobs", json=SUMMARY)).json()["id"]
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as anonymous:
        submitted = await anonymous.post("/jobs", json=SUMMARY)
        looked_up = await anonymous.get(f"/jobs/{job_id}")
    assert (submitted.status_code, looked_up.status_code) == (401, 401)


async def test_one_key_names_one_job_per_submitter(client: AsyncClient) -> None:
    ids = {}
    for name, headers in (("alice", ALICE), ("bob", BOB), ("alice again", ALICE)):
        keyed = headers | {"Idempotency-Key": "order-7"}
        ids[name] = (await client.post("/jobs", json=SUMMARY, headers=keyed)).json()["id"]
    assert ids["alice"] == ids["alice again"] != ids["bob"]


class NoParameters(BaseModel):
    pass


async def test_the_job_knows_its_submitter(client: AsyncClient, queue: JobQueue) -> None:
    async def submitter(context: Annotated[Context, TaskiqDepends()]) -> str | None:
        return context.message.labels.get(SUBMITTER)

    task = queue.broker.register_task(submitter, task_name="submitter")
    job = await queue.submit(task, NoParameters(), submitter="tester")
    assert (await wait_for(client, job.id))["result"] == "tester"
