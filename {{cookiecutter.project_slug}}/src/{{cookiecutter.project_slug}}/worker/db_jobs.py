"""A job with a database transaction, from the same dependency the endpoints use."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import TaskiqDepends

from ..db.session import transaction
from ..items.sql import ItemRow


async def job_transaction(
    request: Annotated[Request, TaskiqDepends()],
) -> AsyncIterator[AsyncSession]:
    """The endpoints' `transaction`: committed when the job returns, rolled back if it raises.

    taskiq hands a dependency the app's `Request` only where it is asked for with
    `TaskiqDepends`, hence this wrapper.
    """
    async with asynccontextmanager(transaction)(request) as session:
        yield session


JobSession = Annotated[AsyncSession, TaskiqDepends(job_transaction)]


async def count_items(session: JobSession) -> int:
    """Example of a job reading the database."""
    return await session.scalar(select(func.count()).select_from(ItemRow)) or 0
