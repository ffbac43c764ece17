"""The example route calling an upstream: exchange rates."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from ..problems import PROBLEM_RESPONSE, Responses
from .client import Rates
from .errors import RESPONSES
from .rates import CURRENCY, Rate

router = APIRouter(prefix="/rates", tags=["rates"])

Currency = Annotated[str, Path(pattern=CURRENCY, description="An ISO 4217 code, e.g. EUR.")]
NOT_FOUND: Responses = {
    404: PROBLEM_RESPONSE | {"description": "The upstream knows no rate for this pair."}
}


@router.get("/{base}/{quote}", responses=NOT_FOUND | RESPONSES, summary="Get an exchange rate")
async def get_rate(base: Currency, quote: Currency, rates: Rates) -> Rate:
    """Asked of the rates upstream on every call: nothing is cached."""
    rate = await rates.get(base, quote)
    if rate is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No rate from {base} to {quote}.")
    return rate
