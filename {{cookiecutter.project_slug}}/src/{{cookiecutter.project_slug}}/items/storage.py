"""Where items are kept, fixed when the project was generated."""

from .memory import lifespan, provide_item_repository

__all__ = ["lifespan", "provide_item_repository"]
