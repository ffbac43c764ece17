"""Retries with exponential backoff and full jitter.

taskiq's `SmartRetryMiddleware` grows the delay linearly and leaves the waiting to
the broker, which neither the in-memory nor the Redis stream broker does. Here the
failed run waits, then sends the retry: the failed delivery is acknowledged only
after its retry is queued, so a worker dying in between cannot lose the job. The wait is
part of the run, so a stop cuts it short like any running job (see `status.py`).
"""

import asyncio
import random
from typing import Any

from taskiq import TaskiqMessage, TaskiqResult
from taskiq.kicker import AsyncKicker
from taskiq.middlewares import SmartRetryMiddleware


class BackoffRetryMiddleware(SmartRetryMiddleware):
    """Retry `n` (n >= 1) waits a random time up to `min(max_delay, delay * 2 ** (n - 1))`."""

    def __init__(self, max_attempts: int, delay: float, max_delay: float) -> None:
        # taskiq's own delay options (`default_delay`, `use_jitter`, `use_delay_exponent`,
        # `max_delay_exponent`) feed only the `make_delay` this class replaces.
        super().__init__(
            default_retry_count=max_attempts,
            default_retry_label=True,
            no_result_on_retry=True,  # a saved result means finished (see status.py)
        )
        self.delay = delay
        self.max_delay = max_delay

    def make_delay(self, message: TaskiqMessage, retries: int) -> float:
        ceiling = min(self.max_delay, self.delay * 2 ** (retries - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not secrecy

    async def on_send(
        self, kicker: AsyncKicker[Any, Any], message: TaskiqMessage, delay: float
    ) -> None:
        await asyncio.sleep(delay)
        await kicker.kiq(*message.args, **message.kwargs)

    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        """A run cancelled by a shutdown did not fail: it is not retried (see `status.py`)."""
        if not isinstance(exception, asyncio.CancelledError):
            await super().on_error(message, result, exception)
