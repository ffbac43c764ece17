"""What the job API accepts and returns."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, JsonValue
from pydantic_core import to_jsonable_python
from taskiq import TaskiqResult

from .status import Status

Number = Annotated[float, Field(allow_inf_nan=False)]


class SummaryRequest(BaseModel):
    """Parameters of the example job, passed to it as keyword arguments."""

    numbers: list[Number] = Field(min_length=1, max_length=10_000)
    seconds: float = Field(default=0.0, ge=0, le=60, description="Pretend work, in seconds.")


class JobError(BaseModel):
    type: str = Field(description="The exception's class name.")
    message: str


class Job(BaseModel):
    id: str
    status: Status
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
