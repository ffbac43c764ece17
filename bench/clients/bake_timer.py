"""Time in-process bakes: `python bake_timer.py TEMPLATE OUTPUT REPEATS` prints JSON seconds.

One untimed bake first (imports, template cache); the hooks' output goes to /dev/null.
"""

import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    template, output, repeats = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    started = time.perf_counter()
    from cookiecutter.main import cookiecutter

    imported = time.perf_counter() - started
    real_stdout = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    seconds = []
    try:
        for n in range(repeats + 1):
            started = time.perf_counter()
            cookiecutter(template, no_input=True, output_dir=str(output / str(n)))
            if n:
                seconds.append(time.perf_counter() - started)
    finally:
        sys.stdout.flush()
        os.dup2(real_stdout, 1)
    print(json.dumps({"import_seconds": imported, "bake_seconds": seconds}))


if __name__ == "__main__":
    main()
