"""Async SQLAlchemy: the engine lives in the app's lifespan, a transaction in each request."""

from ..module import Module
from .models import Base
from .session import Database, DbSession
from .settings import DatabaseSettings

__all__ = ["Base", "Database", "DatabaseSettings", "DbSession", "database_module"]


def database_module(settings: DatabaseSettings) -> Module:
    return Database(settings).module()
