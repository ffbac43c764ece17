"""The service as a real process, started and stopped the way an operator does it.

Its environment is built from the test's own values: the service's variables in the shell
running the tests (prefixed, or the unprefixed names platforms inject) never leak in.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from pydantic import AliasChoices

from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

{% if cookiecutter.auth == "oidc" %}
from . import identity
{% endif %}
from .callers import HEADERS
from .relay import free_port

PACKAGE = "{{ cookiecutter.project_slug }}"
MODULE = (sys.executable, "-m", PACKAGE)
START = 60.0
"""Generous: starting Python and importing the app can be slow on a busy CI machine."""
UNPREFIXED = frozenset(
    name
    for field in Settings.model_fields.values()
    if isinstance(field.validation_alias, AliasChoices)
    for name in field.validation_alias.choices
    if isinstance(name, str)
)
"""Variables the settings also read without the prefix, for platforms that inject them."""


def is_setting(name: str) -> bool:
    """Whether the service reads the environment variable `name` (names are case-blind)."""
    return name.upper().startswith(ENV_PREFIX) or name.upper() in UNPREFIXED


def hermetic_environ(**settings: str) -> dict[str, str]:
    """This process's environment without any of the service's settings, plus `settings`
    (names without the prefix, e.g. `PORT="8001"`)."""
    environ = {name: value for name, value in os.environ.items() if not is_setting(name)}
    return environ | {ENV_PREFIX + name: value for name, value in settings.items()}


class Service:
    """`python -m {{ cookiecutter.project_slug }} *args` on a free port, its output in `log`.

    `program` replaces `python -m {{ cookiecutter.project_slug }}`, e.g. by `fastapi run`, which
    takes the port as an option: pass `PORT` then, to know it beforehand.
    """

    def __init__(
        self,
        log: Path,
        *args: str,
        program: Sequence[str] = MODULE,
        cwd: Path | None = None,
        **settings: str,
    ) -> None:
        self.port = int(settings.pop("PORT", 0)) or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
{% if cookiecutter.auth == "oidc" %}
        settings = identity.session_settings() | settings  # its clients' tokens are accepted
{% endif %}
        environ = hermetic_environ(ENVIRONMENT="test", PORT=str(self.port), **settings)
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and programs
                [*program, *args],
                env=environ,
                cwd=cwd or log.parent,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def client(self, timeout: float = 10.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, timeout=timeout, trust_env=False, headers=HEADERS
        )

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

    async def until_ready(self) -> None:
        """Wait until every readiness check passes."""
        await self._until(lambda failing: not failing)

    async def until_failing(self, *names: str) -> None:
        """Wait until the readiness checks `names` fail (others may too)."""
        await self._until(lambda failing: failing >= set(names))

    async def _until(self, condition: Callable[[set[str]], bool]) -> None:
        async with asyncio.timeout(START):
            while True:
                if condition(await self.failing_checks()):
                    return
                await asyncio.sleep(0.05)

    def memory(self, *, peak: bool = False) -> int:
        """Resident memory of the process in bytes, or the most it has held (Linux)."""
        field = "VmHWM:" if peak else "VmRSS:"
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
        raise LookupError(f"no {field} in /proc/{self.process.pid}/status")

    async def terminate(self, wait: float = START) -> float:
        """SIGTERM, as an orchestrator stops a container; seconds until the process ended.

        Fails if it still runs after `wait` seconds (and leaves it to `stop`)."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, wait)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"running {wait} s after SIGTERM:\n{self.output()}") from None
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
