"""The scheduler process: `python -m {{ cookiecutter.project_slug }}.worker.scheduler`.

taskiq's own `taskiq scheduler` command stops cleanly on Ctrl-C only, while
orchestrators stop processes with SIGTERM: here both do.
"""

import asyncio
import signal

from taskiq.cli.scheduler.args import SchedulerArgs
from taskiq.cli.scheduler.run import run_scheduler

from .main import scheduler


async def serve() -> None:
    """Run until SIGTERM or SIGINT; either cancels the loop, which shuts down the broker."""
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - always inside asyncio.run
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await run_scheduler(SchedulerArgs(scheduler=scheduler(), modules=[]))


def main() -> None:
    asyncio.run(serve())


if __name__ == "__main__":
    main()
