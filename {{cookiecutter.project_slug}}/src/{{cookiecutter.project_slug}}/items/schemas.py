"""What clients send and receive; validation happens here, before any storage."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""White space as JSON Schema patterns (ECMA-262 `\\s`) know it, so the schema and the
service agree on what a blank name is."""
RUNS_OF_SPACE = re.compile(f"[{SPACE}]+")

Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        # Something besides white space (which is collapsed), and no NUL, which no text
        # column can hold.
        pattern=f"^[^\\x00]*[^{SPACE}\\x00][^\\x00]*$",
        examples=["Blue mug"],
        description="Unique name; runs of white space become one space.",
    ),
]
Description = Annotated[
    str | None, Field(max_length=1000, pattern="^[^\\x00]*$", examples=["Holds 350 ml."])
]


def _whole_number(value: object) -> object:
    """JSON Schema's integer: 5 and 5.0 are, true and "5" are not (the models are strict)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Quantity = Annotated[
    int,
    Field(ge=0, le=1_000_000, description="Units in stock."),
    BeforeValidator(_whole_number),
]


def _clean_name(name: str) -> str:
    return RUNS_OF_SPACE.sub(" ", name).strip(" ")


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    description: Description = None
    quantity: Quantity = 0

    _normalize_name = field_validator("name")(_clean_name)


class ItemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (null clears only `description`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # Absent is allowed, null is not: the schema says so, the validators enforce it.
    name: Name | SkipJsonSchema[None] = None
    description: Description = None
    quantity: Quantity | SkipJsonSchema[None] = None

    @field_validator("name")
    @classmethod
    def _normalize_name(cls, name: str | None) -> str:
        if name is None:  # only an explicit null gets here: absent fields are not validated
            raise ValueError("may be left out but not null")
        return _clean_name(name)

    @field_validator("quantity")
    @classmethod
    def _not_null(cls, quantity: int | None) -> int:
        if quantity is None:
            raise ValueError("may be left out but not null")
        return quantity


class Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    quantity: int
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    """One page of items in id order; pass `next_after` as `after` for the next page."""

    items: list[Item]
    next_after: int | None
