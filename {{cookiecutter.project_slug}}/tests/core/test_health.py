import asyncio

from asgi_lifespan import LifespanManager
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings, modules
from {{ cookiecutter.project_slug }}.readiness import Readiness

from support.callers import asgi_client
from support.probes import yielding


async def test_live(client: AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_every_check_passes(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def _passes() -> None:
    return None


async def _refused() -> None:
    raise ConnectionRefusedError("connection refused")


async def _hangs() -> None:
    await asyncio.Event().wait()


async def _fails_silently() -> None:
    raise RuntimeError


async def test_readiness_names_each_failure_and_bounds_slow_checks() -> None:
    checks = {"ok": _passes, "db": _refused, "cache": _hangs, "queue": _fails_silently}
    failures = await Readiness(checks, timeout=0.05).failures()
    assert failures == {
        "db": "ConnectionRefusedError: connection refused",
        "cache": "timed out",
        "queue": "RuntimeError",
    }


async def test_ready_is_503_problem_naming_the_failing_check(settings: Settings) -> None:
    probe = yielding("probe", checks={"broker": _refused, "fine": _passes})
    app = create_app(settings, enabled=[*modules(settings), probe])
    async with (
        LifespanManager(app) as manager,
        asgi_client(manager.app) as client,
    ):
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "Not ready: broker"
    assert body["checks"] == {"broker": "ConnectionRefusedError: connection refused"}
