{% set writes = "writes" if cookiecutter.auth == "oidc" else "router" %}
{% if cookiecutter.auth == "oidc" %}
"""CRUD endpoints of the example resource; changing items takes the scope `items:write`."""
{% else %}
"""CRUD endpoints of the example resource."""
{% endif %}

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from pydantic import BeforeValidator

{% if cookiecutter.auth == "oidc" %}
from ..auth import AUTH_RESPONSES, RequireScopes
{% endif %}
from ..problems import PROBLEM_RESPONSE, Responses, unavailable_response
from .repository import ItemRepository
from .schemas import Item, ItemCreate, ItemPage, ItemUpdate
from .storage import provide_item_repository

UNAVAILABLE: Responses = {503: unavailable_response("The database is unreachable or too slow.")}
router = APIRouter(prefix="/items", tags=["items"], responses=UNAVAILABLE)
{% if cookiecutter.auth == "oidc" %}
writes = APIRouter(
    prefix="/items",
    tags=["items"],
    dependencies=[Depends(RequireScopes("items:write"))],
    responses=UNAVAILABLE | AUTH_RESPONSES,
)
"""The routes that change items."""
{% endif %}

Items = Annotated[ItemRepository, Depends(provide_item_repository)]
ID_MAX = 2**31 - 1
"""The largest id the items table holds (`INTEGER`: 32 bits in PostgreSQL)."""
INTEGER = re.compile(r"-?[0-9]+")


def _written_in_digits(value: object) -> object:
    """An integer in a URL is digits, as the schema says: "10.0" and "1e3" are refused."""
    if isinstance(value, str) and not INTEGER.fullmatch(value):
        raise ValueError("must be an integer written in digits")
    return value


Digits = BeforeValidator(_written_in_digits)
ItemId = Annotated[int, Path(ge=1, le=ID_MAX, description="The item's id."), Digits]

NOT_FOUND: Responses = {404: PROBLEM_RESPONSE | {"description": "No item has this id."}}
CONFLICT: Responses = {409: PROBLEM_RESPONSE | {"description": "Another item has this name."}}


@{{ writes }}.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT, summary="Create an item")
async def create_item(data: ItemCreate, items: Items, response: Response) -> Item:
    """Names are unique; surrounding and repeated whitespace is collapsed first."""
    item = await items.create(data)
    response.headers["Location"] = f"{router.prefix}/{item.id}"  # get_item's path
    return item


@router.get("", summary="List items")
async def list_items(
    items: Items,
    after: Annotated[
        int | None, Query(ge=0, le=ID_MAX, description="Items after this id."), Digits
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100), Digits] = 20,
    search: Annotated[
        str | None,
        # no NUL: no name holds one, and PostgreSQL text cannot
        Query(max_length=100, pattern="^[^\\x00]*$", description="Name contains."),
    ] = None,
) -> ItemPage:
    """Keyset pagination: stable under concurrent inserts, constant cost per page."""
    page = await items.list(after=after, limit=limit + 1, search=search)
    more = len(page) > limit
    page = page[:limit]
    return ItemPage(items=page, next_after=page[-1].id if more else None)


@router.get("/{item_id}", responses=NOT_FOUND, summary="Get an item")
async def get_item(item_id: ItemId, items: Items) -> Item:
    item = await items.get(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist.")
    return item


@{{ writes }}.patch("/{item_id}", responses=NOT_FOUND | CONFLICT, summary="Change an item")
async def update_item(item_id: ItemId, changes: ItemUpdate, items: Items) -> Item:
    item = await items.update(item_id, changes)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist.")
    return item


@{{ writes }}.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,  # no body, so no content-type either
    responses=NOT_FOUND,
    summary="Delete an item",
)
async def delete_item(item_id: ItemId, items: Items) -> None:
    if not await items.delete(item_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist.")
