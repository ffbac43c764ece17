"""The generated project's own classes, for the baselines (`BENCH_PACKAGE` names it).

Baselines validate, serialize and map rows with these, so they differ from the project
only in what they leave out.
"""

import importlib
import os

_package = os.environ["BENCH_PACKAGE"]
_schemas = importlib.import_module(f"{_package}.items.schemas")

Health = importlib.import_module(f"{_package}.api.health").Health
Item = _schemas.Item
ItemCreate = _schemas.ItemCreate
ItemPage = _schemas.ItemPage


def item_row() -> type:
    """The SQLAlchemy mapping of items; only database projects have it."""
    row: type = importlib.import_module(f"{_package}.items.sql").ItemRow
    return row
