"""Baseline 2: bare FastAPI with the generated project's routes and models, nothing else.

No middleware, no lifespan, no dependencies: items in a dict, names in a set. The models
(and so validation and serialization) are imported from the project under test.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query
from under_test import Health, Item, ItemCreate, ItemPage

app = FastAPI()
_items: dict[int, Item] = {}
_names: set[str] = set()


@app.get("/health/live")
async def live() -> Health:
    return Health()


@app.post("/items", status_code=201)
async def create_item(data: ItemCreate) -> Item:
    if data.name in _names:
        raise HTTPException(409, "taken")
    now = datetime.now(UTC)
    item = Item(id=len(_items) + 1, created_at=now, updated_at=now, **data.model_dump())
    _items[item.id] = item
    _names.add(item.name)
    return item


@app.get("/items")
async def list_items(
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    page = [item for item_id, item in _items.items() if after is None or item_id > after]
    more = len(page) > limit
    page = page[:limit]
    return ItemPage(items=page, next_after=page[-1].id if more else None)


@app.get("/items/{item_id}")
async def get_item(item_id: Annotated[int, Path(ge=1)]) -> Item:
    item = _items.get(item_id)
    if item is None:
        raise HTTPException(404, "missing")
    return item
