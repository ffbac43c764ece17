"""Time in-process bakes: `python bake_timer.py TEMPLATE OUTPUT REPEATS` prints JSON seconds.

One untimed bake first (imports, template cache); the hooks' output goes to /dev/null.
Besides wall time, CPU time (this process and the hook processes it waits for), which
grows much less than wall time when other work shares the cores.
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
    seconds, cpu = [], []
    try:
        for n in range(repeats + 1):
            started, cpu_started = time.perf_counter(), _cpu()
            cookiecutter(template, no_input=True, output_dir=str(output / str(n)))
            if n:
                seconds.append(time.perf_counter() - started)
                cpu.append(_cpu() - cpu_started)
    finally:
        sys.stdout.flush()
        os.dup2(real_stdout, 1)
    print(json.dumps({"import_seconds": imported, "bake_seconds": seconds, "cpu_seconds": cpu}))


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


if __name__ == "__main__":
    main()
