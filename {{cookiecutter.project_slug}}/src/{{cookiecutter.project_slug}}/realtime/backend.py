"""What carries frames between the processes of the service, and the one-process kind.

`RedisBackend` (in `redis_broadcast.py`) is the other kind; `Broadcast` publishes through
either.
"""

from collections.abc import Callable
from typing import Protocol

Deliver = Callable[[str, str], None]
"""Queue a frame (second argument) for this process's subscribers of a channel (first)."""


class Backend(Protocol):
    async def publish(self, channel: str, frame: str) -> bool:
        """Deliver `frame` to the subscribers of `channel` in this process and the others;
        False, delivering nothing, when it cannot be passed on now."""

    async def check(self) -> None:
        """Readiness: returns when the other processes can be reached; raises otherwise."""


class MemoryBackend:
    """A single process: publishing is delivering."""

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, channel: str, frame: str) -> bool:
        self._deliver(channel, frame)
        return True

    async def check(self) -> None:
        """Always ready: there is no other process to reach."""
