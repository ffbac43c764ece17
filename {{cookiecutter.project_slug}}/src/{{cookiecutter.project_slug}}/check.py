"""`python -m {{ cookiecutter.project_slug }} check`: could this service go to production as configured?

Run it where the service will run, with its environment, before a deploy (CI runs it with
production-like values). It reads the settings as the service would, applies every
production rule whatever `ENVIRONMENT` says, starts the app's lifespan and runs the
readiness checks until they pass (`--wait` seconds at most), then prints one row per broken
rule and per check. Exit status 1 when anything failed.
"""

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .app import create_app
from .modules import Settings
from .readiness import Readiness

OK = "ok"
PAUSE = 0.2
"""Seconds between two runs of the checks that failed."""


async def inspect(settings: Settings, wait: float) -> list[tuple[str, str]]:
    """(what was checked, "ok" or why it failed), settings first."""
    rows = [("settings", problem) for problem in settings.production_problems()]
    rows = rows or [("settings", OK)]
    app = create_app(settings)
    async with app.router.lifespan_context(app) as state:
        readiness: Readiness = cast("Mapping[str, Any]", state)["readiness"]  # the core's
        failures = await settled(readiness, wait)
    return rows + [(name, failures.get(name, OK)) for name in sorted(readiness.checks)]


async def settled(readiness: Readiness, wait: float) -> dict[str, str]:
    """What still fails after `wait` seconds: connections a module opens in the background
    (a Redis subscription, say) are not up the moment the lifespan has started."""
    for _ in range(math.ceil(wait / PAUSE)):
        if not (failures := await readiness.failures()):
            return failures
        await asyncio.sleep(PAUSE)
    return await readiness.failures()


def table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {result}" for name, result in rows)


def check(settings: Settings, wait: float = 5.0) -> int:
    """Print the table and a verdict; the exit status for the command."""
    rows = asyncio.run(inspect(settings, wait))
    failed = sum(result != OK for _, result in rows)
    print(table(rows))
    print(f"{failed} problem(s): not ready for production" if failed else "ready for production")
    return 1 if failed else 0
