"""Settings of the job queue; with no Redis URL, jobs run inside the service's process."""

from pydantic import Field

from ..settings import RedisSettings


class WorkerSettings(RedisSettings):
    """How jobs are queued, retried, redelivered and kept."""

    worker_queue: str = Field(
        default="{{ cookiecutter.project_slug }}:jobs",
        min_length=1,
        description="Redis stream of the jobs; also prefixes their status and result keys.",
    )
    job_ttl: int = Field(
        default=86_400, ge=1, description="Seconds a job's status and result are kept."
    )
    job_max_attempts: int = Field(
        default=3, ge=1, le=100, description="Runs of a failing job, the first included."
    )
    job_retry_delay: float = Field(
        default=1.0, ge=0, description="Seconds before the first retry; doubles each retry."
    )
    job_retry_max_delay: float = Field(
        default=60.0, ge=0, description="Upper bound of the delay between two runs."
    )
    job_redelivery_timeout: float = Field(
        default=600.0,
        gt=0,
        description=(
            "Seconds a job may stay unacknowledged before another worker takes it over; "
            "longer than the slowest job, or that job runs twice."
        ),
    )
