"""`RequireScopes` on a route, and how the API documents the scheme."""

from typing import Annotated

from fastapi import APIRouter, Depends
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.auth import AUTH_RESPONSES, Principal, RequireScopes
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings

from .conftest import bearer, serving
from support.identity import Provider

probe = APIRouter(responses=AUTH_RESPONSES)


@probe.delete("/things/{name}", status_code=204)
async def delete_thing(
    name: str, principal: Annotated[Principal, Depends(RequireScopes("things:delete"))]
) -> None:
    """Needs a scope the fake provider's default token lacks."""


async def test_a_missing_scope_is_403_insufficient_scope(
    settings: Settings, provider: Provider
) -> None:
    things = Module(name="things", routers=[probe])
    async with serving(settings, provider, also=[things]) as client:
        refused = await client.delete("/things/a", headers=bearer(provider.token()))
        token = provider.token(scope="things:delete")
        allowed = await client.delete("/things/a", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="things:delete"'
    )
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "The token lacks the scope things:delete."
    assert allowed.status_code == 204


async def test_the_openapi_schema_declares_the_bearer_scheme(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    me = schema["paths"]["/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert set(me["responses"]) >= {"200", "401", "403"}
