"""Baseline 3: minimal FastAPI + SQLAlchemy async, the same queries as the generated project.

One engine (default pool) opened in the lifespan, one session per request, the project's
table mapping and response models; no middleware, no repository, no error mapping.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from under_test import Item, ItemPage, item_row

ItemRow = item_row()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine(os.environ["BENCH_DATABASE_URL"])
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


Session = Annotated[AsyncSession, Depends(session)]


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items")
async def list_items(
    session: Session,
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    query = select(ItemRow).order_by(ItemRow.id).limit(limit + 1)
    if after is not None:
        query = query.where(ItemRow.id > after)
    page = [Item.model_validate(row) for row in await session.scalars(query)]
    more = len(page) > limit
    page = page[:limit]
    return ItemPage(items=page, next_after=page[-1].id if more else None)


@app.get("/items/{item_id}")
async def get_item(item_id: Annotated[int, Path(ge=1)], session: Session) -> Item:
    row = await session.get(ItemRow, item_id)
    if row is None:
        raise HTTPException(404, "missing")
    return Item.model_validate(row)
