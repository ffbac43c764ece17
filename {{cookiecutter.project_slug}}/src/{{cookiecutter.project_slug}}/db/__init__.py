"""Async SQLAlchemy: the engine lives in the app's lifespan, a transaction in each request."""

from .models import Base
from .session import DatabaseState, DbSession, database_module
from .settings import DatabaseSettings

__all__ = ["Base", "DatabaseSettings", "DatabaseState", "DbSession", "database_module"]
