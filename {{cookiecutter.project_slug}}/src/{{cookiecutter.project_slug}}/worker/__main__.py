"""The worker process: `python -m {{ cookiecutter.project_slug }}.worker [taskiq worker options]`.

taskiq's `taskiq worker` restarts a worker child that exits, forever: a setting missing
there (no REDIS_URL) would restart it every second. Here the settings are checked before
any child starts, and a missing one ends the command with one line and status 1.

On SIGTERM or Ctrl-C a worker takes no new jobs and gives the running ones
`SHUTDOWN_TIMEOUT` seconds to finish, save their result and be acknowledged. Those still
running then are recorded as interrupted and stay unacknowledged: another worker runs
them again after `JOB_REDELIVERY_TIMEOUT`. What it had fetched but not started goes to
another worker the same way.
{% if cookiecutter.request_id %}

Log lines are the service's JSON lines, with the request id of the job they come from.
{% endif %}
"""

import sys

from taskiq.cli.worker.args import WorkerArgs
from taskiq.cli.worker.run import run_worker

from .main import worker_settings
{% if cookiecutter.request_id %}
from .request_ids import json_worker_logging
{% endif %}

BROKER = "{{ cookiecutter.project_slug }}.worker.main:broker"


def main() -> None:
    """Options given on the command line override these defaults."""
    settings = worker_settings()
    defaults = [BROKER, "--workers", "1", "--wait-tasks-timeout", str(settings.shutdown_timeout)]
{% if cookiecutter.request_id %}
    json_worker_logging()
    defaults.append("--no-configure-logging")
{% endif %}
    sys.exit(run_worker(WorkerArgs.from_cli([*defaults, *sys.argv[1:]])))


if __name__ == "__main__":
    main()
