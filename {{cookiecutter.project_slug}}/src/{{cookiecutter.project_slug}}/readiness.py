"""Readiness: the service is ready when every check that modules registered passes."""

import asyncio
from collections.abc import Mapping

from .module import ReadinessCheck


class Readiness:
    """Runs every check concurrently, each bounded by `timeout` seconds."""

    def __init__(self, checks: Mapping[str, ReadinessCheck], timeout: float = 2.0) -> None:
        self.checks = dict(checks)
        self.timeout = timeout

    async def failures(self) -> dict[str, str]:
        """Name of each failing check mapped to why it failed; empty when ready."""
        names = list(self.checks)
        results = await asyncio.gather(
            *(self._run(self.checks[name]) for name in names), return_exceptions=True
        )
        return {
            name: _describe(result)
            for name, result in zip(names, results, strict=True)
            if isinstance(result, BaseException)
        }

    async def _run(self, check: ReadinessCheck) -> None:
        async with asyncio.timeout(self.timeout):
            await check()


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
