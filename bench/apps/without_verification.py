"""The generated service as `python -m <package>` serves it, with bearer tokens taken at
their word: `Verifier.verify` returns one fixed principal, so a request costs everything
but the token's verification (its signature, claims and key lookup)."""

import importlib
import os
import runpy
from typing import Any

package = os.environ["BENCH_PACKAGE"]
Principal = importlib.import_module(f"{package}.auth.principal").Principal
Verifier = importlib.import_module(f"{package}.auth.verifier").Verifier
TRUSTED = Principal(subject="bench", scopes=frozenset(), claims={})


async def verify(self: Any, token: str) -> Any:
    return TRUSTED


Verifier.verify = verify
runpy.run_module(package, run_name="__main__", alter_sys=True)
