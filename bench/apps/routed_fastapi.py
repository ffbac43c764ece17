"""Baseline 2b: bare FastAPI structured as FastAPI's docs suggest, still nothing else.

The routes of `bare_fastapi` on an `APIRouter` with a prefix, included in the app, and
the store handed to each endpoint by an `Annotated` dependency: what a layered project
pays to the framework before any code of its own. No middleware, no lifespan.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query
from under_test import Health, Item, ItemCreate, ItemPage


class Store:
    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self.names: set[str] = set()


_store = Store()


async def get_store() -> Store:
    return _store


Items = Annotated[Store, Depends(get_store)]
health = APIRouter(prefix="/health")
items = APIRouter(prefix="/items")


@health.get("/live")
async def live() -> Health:
    return Health()


@items.post("", status_code=201)
async def create_item(data: ItemCreate, store: Items) -> Item:
    if data.name in store.names:
        raise HTTPException(409, "taken")
    now = datetime.now(UTC)
    item = Item(id=len(store.items) + 1, created_at=now, updated_at=now, **data.model_dump())
    store.items[item.id] = item
    store.names.add(item.name)
    return item


@items.get("")
async def list_items(
    store: Items,
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    page = [item for item_id, item in store.items.items() if after is None or item_id > after]
    more = len(page) > limit
    page = page[:limit]
    return ItemPage(items=page, next_after=page[-1].id if more else None)


@items.get("/{item_id}")
async def get_item(item_id: Annotated[int, Path(ge=1)], store: Items) -> Item:
    item = store.items.get(item_id)
    if item is None:
        raise HTTPException(404, "missing")
    return item


app = FastAPI()
app.include_router(health)
app.include_router(items)
