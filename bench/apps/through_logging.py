"""The generated service as `python -m <package>` serves it, with its access line sent
through `logging` like any other record.

The request-id middleware writes the line straight to the JSON handler only while that
handler is the one place it can go; a filter on the access logger (it passes every
record) is enough to take that shortcut away, so the case weighs it on the same code.
"""

import logging
import os
import runpy

package = os.environ["BENCH_PACKAGE"]
logging.getLogger(f"{package}.access").addFilter(lambda record: True)
runpy.run_module(package, run_name="__main__", alter_sys=True)
