"""Items in the database: the table and the repository the routes use.

Every write is a single statement, so concurrent requests cannot interleave a read and
a write (and SQLite never has to upgrade a read transaction into a write one).
"""

from datetime import datetime

from sqlalchemy import String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, DbSession
from ..db.errors import is_unique_violation
from ..db.models import utcnow
from .repository import ItemNameTakenError, ItemRepository
from .schemas import Item, ItemCreate, ItemUpdate


class ItemRow(Base):
    __tablename__ = "items"
    # AUTOINCREMENT: SQLite never hands a deleted item's id to a new one.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy reads it once

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000))
    quantity: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SqlItemRepository:
    """Works inside the request's transaction; the session dependency commits it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, data: ItemCreate) -> Item:
        row = ItemRow(**data.model_dump())
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as error:
            if is_unique_violation(error):
                raise ItemNameTakenError(data.name) from error
            raise
        return Item.model_validate(row)

    async def get(self, item_id: int) -> Item | None:
        row = await self.session.get(ItemRow, item_id)
        return None if row is None else Item.model_validate(row)

    async def list(self, *, after: int | None, limit: int, search: str | None) -> list[Item]:
        query = select(ItemRow).order_by(ItemRow.id).limit(limit)
        if after is not None:
            query = query.where(ItemRow.id > after)
        if search:
            query = query.where(ItemRow.name.icontains(search, autoescape=True))
        return [Item.model_validate(row) for row in await self.session.scalars(query)]

    async def update(self, item_id: int, changes: ItemUpdate) -> Item | None:
        fields = changes.model_dump(exclude_unset=True)
        statement = (
            update(ItemRow)
            .where(ItemRow.id == item_id)
            .values(**fields, updated_at=utcnow())
            .returning(ItemRow)
        )
        try:
            row = (await self.session.scalars(statement)).one_or_none()
        except IntegrityError as error:
            if is_unique_violation(error):
                raise ItemNameTakenError(fields["name"]) from error
            raise
        return None if row is None else Item.model_validate(row)

    async def delete(self, item_id: int) -> bool:
        statement = delete(ItemRow).where(ItemRow.id == item_id).returning(ItemRow.id)
        return (await self.session.scalars(statement)).one_or_none() is not None


async def provide_item_repository(session: DbSession) -> ItemRepository:
    return SqlItemRepository(session)
