"""What verifying a bearer token costs a request, keys cached: `GET /me` of an `auth=oidc`
project, one client token for every request, against the same project with verification
taken out (`bench/apps/without_verification.py`); once as served (the token verified once,
then remembered) and once with `AUTH_REMEMBERED_TOKENS=0` (verified on every request)."""

from pathlib import Path
from typing import Any

from .. import wrk
from ..config import Config
from ..context import Context, guarded, latency_note, throughput_row
from ..process import environment, run
from ..projects import Project, base_answers
from ..results import Row
from ..servers import serving
from ..stats import Summary

GROUP = "Auth"
ANSWERS = base_answers(auth="oidc")


def projects(config: Config) -> dict[str, dict[str, Any]]:
    return {"auth-oidc": ANSWERS}


def cases(ctx: Context) -> list[Row]:
    return guarded(GROUP, "token verification", lambda: _run(ctx))


def _token(project: Project, env: dict[str, str]) -> str:
    """A development token (ES256, the key the service trusts in development)."""
    minted = run(
        [project.python, "-m", f"{project.slug}.auth.devtoken"],
        cwd=project.path,
        env=environment(**env),
        what="make token",
    )
    return minted.stdout.strip()


def _run(ctx: Context) -> list[Row]:
    ctx.need_wrk()
    project = ctx.projects.get("auth-oidc", ANSWERS)
    prefix = project.slug.upper() + "_"
    key = Path(ctx.workdir) / "dev-auth-key.pem"
    env = {prefix + "ENVIRONMENT": "development", prefix + "AUTH_DEV_KEY_FILE": str(key)}
    load = wrk.Load("/me", headers={"Authorization": f"Bearer {_token(project, env)}"})
    remembering = ctx.service("auth-remember", project, **env)
    checking = ctx.service("auth-check", project, **env, **{prefix + "AUTH_REMEMBERED_TOKENS": "0"})
    trusting = ctx.service("auth-trust", project, launcher="without_verification.py", **env)
    servers = [remembering, checking, trusting]
    with serving(*servers):
        for server in servers:
            status, text = server.request("GET", "/me", headers=load.headers)
            if status != 200:
                raise RuntimeError(f"{server.name}: GET /me -> {status} {text[:200]!r}")
        remembered, checked, trusted = ctx.alternate(servers, load)
    cases = (
        ("GET /me: token verified once, then remembered (as served)", remembered),
        ("GET /me: token verified on every request (AUTH_REMEMBERED_TOKENS=0)", checked),
    )
    return [_cost_row(case, runs, trusted) for case, runs in cases]


def _cost_row(case: str, runs: list[wrk.WrkResult], trusted: list[wrk.WrkResult]) -> Row:
    """µs each request pays over the server that verifies nothing, and the ratio."""
    row = throughput_row(
        GROUP, case, runs, versus=("no verification", trusted), note=latency_note(runs)
    )
    if row.unavailable is None:
        costs = [1e6 / a.rps - 1e6 / b.rps for a, b in zip(runs, trusted, strict=True)]
        row.measure, row.unit, row.value = "cost", "µs/request", Summary.of(costs)
    return row
