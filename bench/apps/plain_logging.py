"""The generated service as `python -m <package>` serves it, with its logging made plain.

`BENCH_PLAIN` names what to change (comma-separated), so a case can weigh each of the
project's logging shortcuts against the standard way on the same code:

- `access-line`: the access line goes through `logging` like any other record. The
  request-id middleware writes it straight to the JSON handler only while that handler
  is the one place it can go; a filter on the access logger (it passes every record)
  is enough to take that path away.
- `timestamp`: every line formats its whole timestamp, instead of reusing the text of
  the current second.
"""

import logging
import os
import runpy
from datetime import UTC, datetime
from importlib import import_module

package = os.environ["BENCH_PACKAGE"]
plain = set(filter(None, os.environ.get("BENCH_PLAIN", "").split(",")))

if "access-line" in plain:
    logging.getLogger(f"{package}.access").addFilter(lambda record: True)

if "timestamp" in plain:
    formatter = import_module(f"{package}.middleware.request_id").JsonFormatter

    def timestamp(self: object, created: float) -> str:
        moment = datetime.fromtimestamp(created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    formatter.timestamp = timestamp

runpy.run_module(package, run_name="__main__", alter_sys=True)
