"""The example resource through HTTP, whatever storage the project was generated with."""

import asyncio

import pytest
from httpx import AsyncClient


async def create(client: AsyncClient, name: str, **fields: object) -> dict[str, object]:
    response = await client.post("/items", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_create_then_get(client: AsyncClient) -> None:
    response = await client.post(
        "/items", json={"name": "  Blue   mug ", "description": "350 ml", "quantity": 3}
    )
    assert response.status_code == 201
    item = response.json()
    assert item["name"] == "Blue mug"
    assert response.headers["location"] == f"/items/{item['id']}"
    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == item


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "quantity": -1}, "quantity"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({}, "name"),
    ],
)
async def test_invalid_input_is_422_with_field_location(
    client: AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/items", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]


async def test_duplicate_name_is_409_problem(client: AsyncClient) -> None:
    await create(client, "Lamp")
    response = await client.post("/items", json={"name": "Lamp"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "An item named 'Lamp' already exists."


async def test_missing_item_is_404_everywhere(client: AsyncClient) -> None:
    assert (await client.get("/items/999")).status_code == 404
    assert (await client.patch("/items/999", json={"quantity": 1})).status_code == 404
    assert (await client.delete("/items/999")).status_code == 404
    assert (await client.get("/items/0")).status_code == 422


async def test_patch_changes_only_given_fields(client: AsyncClient) -> None:
    item = await create(client, "Chair", description="oak", quantity=2)
    response = await client.patch(f"/items/{item['id']}", json={"quantity": 5})
    assert response.status_code == 200
    changed = response.json()
    assert (changed["name"], changed["description"], changed["quantity"]) == ("Chair", "oak", 5)
    assert changed["updated_at"] >= item["updated_at"]


@pytest.mark.parametrize("field", ["name", "quantity"])
async def test_patch_refuses_null_for_required_fields(client: AsyncClient, field: str) -> None:
    item = await create(client, "Stool")
    response = await client.patch(f"/items/{item['id']}", json={field: None})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]
    unchanged = await client.get(f"/items/{item['id']}")
    assert unchanged.json() == item


async def test_patch_to_a_taken_name_is_409(client: AsyncClient) -> None:
    await create(client, "Desk")
    chair = await create(client, "Chair")
    response = await client.patch(f"/items/{chair['id']}", json={"name": "Desk"})
    assert response.status_code == 409
    same = await client.patch(f"/items/{chair['id']}", json={"name": "Chair"})
    assert same.status_code == 200


async def test_delete_then_gone(client: AsyncClient) -> None:
    item = await create(client, "Old")
    response = await client.delete(f"/items/{item['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert "content-length" not in response.headers
    assert (await client.get(f"/items/{item['id']}")).status_code == 404


async def test_list_pages_by_keyset_with_search(client: AsyncClient) -> None:
    for name in ["red cup", "blue cup", "plate", "Green Cup", "bowl"]:
        await create(client, name)
    first = (await client.get("/items", params={"limit": 2, "search": "CUP"})).json()
    assert [i["name"] for i in first["items"]] == ["red cup", "blue cup"]
    assert first["next_after"] == first["items"][-1]["id"]
    second = (
        await client.get(
            "/items", params={"limit": 2, "search": "cup", "after": first["next_after"]}
        )
    ).json()
    assert [i["name"] for i in second["items"]] == ["Green Cup"]
    assert second["next_after"] is None
    everything = (await client.get("/items", params={"limit": 100})).json()
    assert len(everything["items"]) == 5


async def test_a_search_holding_nul_is_refused(client: AsyncClient) -> None:
    """No name holds NUL, and PostgreSQL text cannot: a 422, not the database's error."""
    response = await client.get("/items", params={"search": "cup\x00"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_concurrent_creates_of_one_name_yield_one_item(client: AsyncClient) -> None:
    responses = await asyncio.gather(
        *(client.post("/items", json={"name": "Contested"}) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19


@pytest.mark.parametrize("url", ["/items/2147483648", "/items?after=2147483648", "/items/1.0"])
async def test_ids_the_table_cannot_hold_are_a_422_problem(client: AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
