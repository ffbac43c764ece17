"""The jobs: plain async functions; `queue.py` registers them under stable names.

Parameters come from the message; dependencies (`TaskiqDepends`, or FastAPI's
`Depends`) are resolved by taskiq, with the app's `Request` available through
taskiq-fastapi.
"""

import asyncio
import math
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel
from taskiq import Context, TaskiqDepends
from taskiq_redis import RedisStreamBroker

from .streams import trim_acknowledged


class Summary(BaseModel):
    count: int
    total: float
    mean: float


def total_of(numbers: Sequence[float]) -> float:
    """Their sum; ValueError when it overflows (JSON has no infinity: there would be no result)."""
    total = sum(numbers)
    if not math.isfinite(total):
        raise ValueError("the total of the numbers is too large for a float")
    return total


async def summarize(numbers: list[float], seconds: float = 0.0) -> Summary:
    """The example job: statistics of `numbers`, after `seconds` of pretend work."""
    await asyncio.sleep(seconds)
    total = total_of(numbers)
    return Summary(count=len(numbers), total=total, mean=total / len(numbers))


async def trim_stream(context: Annotated[Context, TaskiqDepends()]) -> int:
    """The periodic job: keeps the Redis stream from growing with finished jobs."""
    if isinstance(context.broker, RedisStreamBroker):
        return await trim_acknowledged(context.broker)
    return 0
