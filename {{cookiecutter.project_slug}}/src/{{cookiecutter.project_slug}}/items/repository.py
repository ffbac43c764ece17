"""The storage contract of the example resource; the routes know only this."""

from typing import Protocol

from .schemas import Item, ItemCreate, ItemUpdate


class ItemNameTakenError(Exception):
    """Another item already has this name (becomes 409 Conflict)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"An item named {name!r} already exists.")
        self.name = name


class ItemRepository(Protocol):
    async def create(self, data: ItemCreate) -> Item: ...

    async def get(self, item_id: int) -> Item | None: ...

    async def list(self, *, after: int | None, limit: int, search: str | None) -> list[Item]:
        """Items with id > `after`, in id order, whose name contains `search` (any case)."""
        ...

    async def update(self, item_id: int, changes: ItemUpdate) -> Item | None: ...

    async def delete(self, item_id: int) -> bool: ...
