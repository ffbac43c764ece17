"""The service as an operator runs it: a real process, stopped by SIGTERM."""

import asyncio
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest

from support.relay import free_port
from support.service import Service

pytestmark = pytest.mark.process

PROJECT = Path(__file__).parents[2]
MARGIN = 5.0
"""Seconds on top of a timeout the service is given: a busy CI machine is slow."""


async def test_sigterm_ends_within_the_shutdown_timeout_while_a_client_stalls(
    services: Callable[..., Service],
) -> None:
    """A client that stops sending halfway through its request body would keep uvicorn
    waiting for ever; `SHUTDOWN_TIMEOUT` bounds the wait, then the app shuts down."""
    service = services(SHUTDOWN_TIMEOUT="1")
    await service.started()
    loop = asyncio.get_running_loop()
    with socket.socket() as stalled:
        stalled.setblocking(False)
        await loop.sock_connect(stalled, ("127.0.0.1", service.port))
        head = (
            b"POST /items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n"
        )
        await loop.sock_sendall(stalled, head)
        # uvicorn answers 100 Continue when the app first asks for the body.
        assert (await loop.sock_recv(stalled, 1024)).startswith(b"HTTP/1.1 100 ")
        await loop.sock_sendall(stalled, b'{"name": ')  # and nothing more
        elapsed = await service.terminate(wait=1 + MARGIN)
    log = service.output()
    assert elapsed < 1 + MARGIN, log
    assert "timeout graceful shutdown exceeded" in log  # the stalled request held it up
    assert "Application shutdown complete" in log


def fastapi_run(services: Callable[..., Service], directory: Path) -> Service:
    """`fastapi run` in a directory holding the project's `pyproject.toml` (its entry point)
    and no `.env`, so that only the test's settings apply."""
    directory.mkdir()
    shutil.copy(PROJECT / "pyproject.toml", directory)
    fastapi = Path(sys.executable).with_name("fastapi")
    port = str(free_port())
    arguments = ("run", "--host", "127.0.0.1", "--port", port)
    return services(*arguments, program=[str(fastapi)], cwd=directory, PORT=port)


@pytest.mark.parametrize("serve", ["python -m", "python -m --reload", "fastapi run"])
async def test_every_way_to_serve_logs_one_line_per_request_and_stops_cleanly(
    services: Callable[..., Service], tmp_path: Path, serve: str
) -> None:
    if serve == "fastapi run":
        service = fastapi_run(services, tmp_path / "project")
    else:
        service = services(*serve.split()[2:])
    await service.started()
    assert await service.failing_checks() == set()
    path = f"/nothing-{uuid4().hex}"
    async with service.client() as client:
        assert (await client.get(path)).status_code == 404
    await service.terminate()
    log = service.output()
    assert len([line for line in log.splitlines() if path in line]) == 1, log
    assert service.process.returncode in {0, -signal.SIGTERM}, log  # uvicorn re-raises it
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
