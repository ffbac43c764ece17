"""Changing items takes a token with the scope `items:write`; reading them takes none."""

from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp

from support.identity import caller

WRITES = [
    ("POST", "/items", {"name": "Mallory's"}),
    ("PATCH", "/items/1", {"name": "Mallory's"}),
    ("DELETE", "/items/1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_a_write_without_the_scope_is_403_and_changes_nothing(
    client: AsyncClient, method: str, path: str, body: Any
) -> None:
    assert (await client.post("/items", json={"name": "Kept"})).status_code == 201
    reader = caller(scope="profile")
    response = await client.request(method, path, json=body, headers=reader)
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="items:write"'
    )
    assert response.headers["content-type"] == "application/problem+json"
    listed = (await client.get("/items", headers=reader)).json()["items"]
    assert [item["name"] for item in listed] == ["Kept"]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_a_write_without_a_token_is_401(
    app: ASGIApp, method: str, path: str, body: Any
) -> None:
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as anonymous:
        response = await anonymous.request(method, path, json=body)
        assert (await anonymous.get("/items")).status_code == 200  # reading is open
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_the_schema_says_which_operations_need_a_token(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    secured = {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path.startswith("/items")
        for method, operation in operations.items()
        if operation.get("security")
    }
    assert secured == {"POST /items", "PATCH /items/{item_id}", "DELETE /items/{item_id}"}
