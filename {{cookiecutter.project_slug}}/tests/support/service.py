{% set unprefixed = (["DATABASE_URL"] if cookiecutter.database != "none" else []) + (["REDIS_URL"] if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit else []) %}
"""The service as a real process, started and stopped the way an operator does it.

Its environment is built from the test's own values: variables of the shell running the
tests (`{{ cookiecutter.project_slug.upper() }}_*`{% for name in unprefixed %}, `{{ name }}`{% endfor %}) never leak in.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

from .relay import free_port

PACKAGE = "{{ cookiecutter.project_slug }}"
START = 60.0
"""Generous: starting Python and importing the app can be slow on a busy CI machine."""
{% if unprefixed %}
UNPREFIXED: tuple[str, ...] = ({{ unprefixed | map("tojson") | join(", ") }}{{ "," if unprefixed | length == 1 }})
{% else %}
UNPREFIXED: tuple[str, ...] = ()
{% endif %}
"""Also read without the prefix, for platforms that inject them."""


def hermetic_environ(**settings: str) -> dict[str, str]:
    """This process's environment without any of the service's settings, plus `settings`
    (names without the prefix, e.g. `REDIS_URL="redis://..."`)."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(ENV_PREFIX) and name not in UNPREFIXED
    }
    return environ | {ENV_PREFIX + name: value for name, value in settings.items()}


class Service:
    """`python -m {{ cookiecutter.project_slug }}` on a free port, its output in `log`."""

    def __init__(self, log: Path, *args: str, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environ = hermetic_environ(ENVIRONMENT="test", PORT=str(self.port), **settings)
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                [sys.executable, "-m", PACKAGE, *args],
                env=environ,
                cwd=log.parent,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def client(self, timeout: float = 10.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=timeout, trust_env=False)

    async def started(self) -> None:
        """Wait until the service answers `/health/live`; fail if it exits first."""
        async with asyncio.timeout(START), self.client() as client:
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(f"exited {self.process.returncode}:\n{self.output()}")
                try:
                    if (await client.get("/health/live")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                await asyncio.sleep(0.05)

    async def failing_checks(self) -> set[str]:
        """Names of the readiness checks that fail now; empty when ready."""
        async with self.client() as client:
            response = await client.get("/health/ready")
        if response.status_code == 200:
            return set()
        return set(response.json()["checks"])

    async def terminate(self, wait: float = START) -> float:
        """SIGTERM, as an orchestrator stops a container; seconds until the process ended."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(self.process.wait, wait)
        return time.monotonic() - sent

    def stop(self) -> str:
        """End the process whatever its state (SIGKILL after SIGTERM); returns its output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=START)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")
