"""What clients send and receive; validation happens here, before any storage."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Name = Annotated[
    str,
    Field(min_length=1, max_length=100, examples=["Blue mug"], description="Unique name."),
]
Description = Annotated[str | None, Field(max_length=1000, examples=["Holds 350 ml."])]
Quantity = Annotated[int, Field(ge=0, le=1_000_000, description="Units in stock.")]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("must contain a visible character")
    return cleaned


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description = None
    quantity: Quantity = 0

    _normalize_name = field_validator("name")(_clean_name)


class ItemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description = None
    quantity: Quantity | None = None

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
