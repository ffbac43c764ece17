"""What the job API accepts and returns."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator
from pydantic_core import to_jsonable_python
from taskiq import TaskiqResult

from .jobs import total_of
from .status import Status

Number = Annotated[float, Field(allow_inf_nan=False)]


class SummaryRequest(BaseModel):
    """Parameters of the example job, passed to it as keyword arguments. Strict, as its
    schema says: `false` or `"5"` is not a number."""

    model_config = ConfigDict(extra="forbid", strict=True)

    numbers: list[Number] = Field(min_length=1, max_length=10_000)
    seconds: float = Field(default=0.0, ge=0, le=60, description="Pretend work, in seconds.")

    @field_validator("numbers")
    @classmethod
    def _summable(cls, numbers: list[float]) -> list[float]:
        """Refused here rather than failing in the job: the request can never succeed."""
        total_of(numbers)
        return numbers


class JobError(BaseModel):
    type: str = Field(description="The exception's class name.")
    message: str


class Job(BaseModel):
    id: str
    status: Status = Field(
        description=(
            "`interrupted`: its process stopped while it ran; on Redis another worker runs it "
            "again after the redelivery timeout, in the service's own process it ends there."
        )
    )
    attempt: int = Field(description="1 for the first run, one more per retry.")
    result: JsonValue = Field(default=None, description="What the job returned, once succeeded.")
    error: JobError | None = Field(default=None, description="Why its last run failed.")

    @classmethod
    def finished(cls, job_id: str, attempt: int, result: TaskiqResult[Any]) -> "Job":
        """The job once its last run's result is saved."""
        if result.error is not None:
            error = JobError(type=type(result.error).__name__, message=str(result.error))
            return cls(id=job_id, status="failed", attempt=attempt, error=error)
        value = to_jsonable_python(result.return_value)
        return cls(id=job_id, status="succeeded", attempt=attempt, result=value)
