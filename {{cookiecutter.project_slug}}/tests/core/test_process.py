"""The service as an operator runs it: a real process, stopped by SIGTERM."""

import signal
from collections.abc import Callable

import support.service


async def test_sigterm_stops_an_idle_service_cleanly(
    services: Callable[..., support.service.Service],
) -> None:
    service = services()
    await service.started()
    assert await service.failing_checks() == set()
    await service.terminate()
    log = service.output()
    assert service.process.returncode in {0, -signal.SIGTERM}, log  # uvicorn re-raises it
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
