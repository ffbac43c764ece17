{% if cookiecutter.auth == "oidc" %}
"""The job API: submit the example job, then follow it by id; each job is its submitter's."""
{% else %}
"""The job API: submit the example job, then follow it by id."""
{% endif %}

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Response, status

{% if cookiecutter.auth == "oidc" %}
from ..auth import AUTH_RESPONSES, CurrentPrincipal
{% endif %}
from ..problems import PROBLEM_RESPONSE, Responses
from .errors import UNAVAILABLE
from .queue import IdempotencyKeyReusedError, JobQueue, get_queue
from .schemas import Job, SummaryRequest

SERVICE_RESPONSES: Responses = {503: UNAVAILABLE}
{% if cookiecutter.auth == "oidc" %}
router = APIRouter(prefix="/jobs", tags=["jobs"], responses=SERVICE_RESPONSES | AUTH_RESPONSES)
{% else %}
router = APIRouter(prefix="/jobs", tags=["jobs"], responses=SERVICE_RESPONSES)
{% endif %}

Queue = Annotated[JobQueue, Depends(get_queue)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        description="Sending the same key again returns the same job instead of a new one.",
    ),
]

{% if cookiecutter.auth == "oidc" %}
NOT_FOUND: Responses = {404: PROBLEM_RESPONSE | {"description": "No job of yours has this id."}}
{% else %}
NOT_FOUND: Responses = {404: PROBLEM_RESPONSE | {"description": "No job has this id."}}
{% endif %}
KEY_REUSED: Responses = {
    422: PROBLEM_RESPONSE | {"description": "Invalid, or the key came with other parameters."}
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses=KEY_REUSED,
    summary="Submit the example job",
)
async def submit_job(
    data: SummaryRequest,
    queue: Queue,
    response: Response,
{% if cookiecutter.auth == "oidc" %}
    principal: CurrentPrincipal,
{% endif %}
    idempotency_key: IdempotencyKey = None,
) -> Job:
    """Queued at once; follow it at `Location` until it has succeeded or failed."""
    try:
{% if cookiecutter.auth == "oidc" %}
        job = await queue.submit(queue.summarize, data, idempotency_key, principal.subject)
{% else %}
        job = await queue.submit(queue.summarize, data, idempotency_key)
{% endif %}
    except IdempotencyKeyReusedError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "This Idempotency-Key was used with other parameters.",
        ) from None
    response.headers["Location"] = f"{router.prefix}/{job.id}"  # get_job's path
    return job


@router.get("/{job_id}", responses=NOT_FOUND, summary="Get a job's status and result")
async def get_job(
    job_id: Annotated[str, Path(max_length=128, description="The id `POST /jobs` returned.")],
    queue: Queue,
{% if cookiecutter.auth == "oidc" %}
    principal: CurrentPrincipal,
) -> Job:
    """Only to its submitter: to anyone else, a job that does not exist."""
    job = await queue.get(job_id, principal.subject)
{% else %}
) -> Job:
    job = await queue.get(job_id)
{% endif %}
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Job {job_id} does not exist.")
    return job
