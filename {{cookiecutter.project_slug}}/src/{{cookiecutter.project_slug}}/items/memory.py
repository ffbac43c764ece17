"""Items kept in the process's memory: the storage when no database was chosen."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import count
from typing import TypedDict

from fastapi import FastAPI, Request

from ..module import Resources, State
from .repository import ItemNameTakenError, ItemRepository
from .schemas import Item, ItemCreate, ItemUpdate


class InMemoryItemRepository:
    """Single-process storage; every method completes without awaiting, so it is atomic."""

    def __init__(self) -> None:
        self._items: dict[int, Item] = {}  # insertion order is id order: ids only grow
        self._names: set[str] = set()
        self._ids = count(1)

    async def create(self, data: ItemCreate) -> Item:
        self._ensure_free(data.name)
        now = datetime.now(UTC)
        item = Item(id=next(self._ids), created_at=now, updated_at=now, **data.model_dump())
        self._items[item.id] = item
        self._names.add(item.name)
        return item

    async def get(self, item_id: int) -> Item | None:
        return self._items.get(item_id)

    async def list(self, *, after: int | None, limit: int, search: str | None) -> list[Item]:
        needle = search.casefold() if search else None
        found = []
        for item in self._items.values():
            if after is not None and item.id <= after:
                continue
            if needle is None or needle in item.name.casefold():
                found.append(item)
                if len(found) == limit:
                    break
        return found

    async def update(self, item_id: int, changes: ItemUpdate) -> Item | None:
        item = self._items.get(item_id)
        if item is None:
            return None
        fields = changes.model_dump(exclude_unset=True)
        if fields.get("name", item.name) != item.name:
            self._ensure_free(fields["name"])
            self._names.remove(item.name)
            self._names.add(fields["name"])
        updated = item.model_copy(update=fields | {"updated_at": datetime.now(UTC)})
        self._items[item_id] = updated
        return updated

    async def delete(self, item_id: int) -> bool:
        item = self._items.pop(item_id, None)
        if item is None:
            return False
        self._names.remove(item.name)
        return True

    def _ensure_free(self, name: str) -> None:
        if name in self._names:
            raise ItemNameTakenError(name)


class ItemsState(TypedDict):
    item_repository: ItemRepository


@asynccontextmanager
async def lifespan(app: FastAPI, state: State) -> AsyncIterator[Resources]:
    yield Resources(ItemsState(item_repository=InMemoryItemRepository()))


async def provide_item_repository(request: Request) -> ItemRepository:
    repository: ItemRepository = request.state.item_repository
    return repository
