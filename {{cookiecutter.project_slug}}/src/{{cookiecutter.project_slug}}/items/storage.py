"""Where items are kept, fixed when the project was generated."""

{% if cookiecutter.database == "none" %}
from .memory import lifespan, provide_item_repository
{% else %}
from ..module import Lifespan
from .sql import provide_item_repository

lifespan: Lifespan | None = None
"""The database module's lifespan opens everything the items need."""
{% endif %}

__all__ = ["lifespan", "provide_item_repository"]
