"""The example upstream client: an exchange-rate API, typed.

The upstream answers `GET <base URL>/rates/{base}/{quote}` with
`{"rate": 1.0832, "date": "2025-01-31"}`, and 404 when it does not know a currency. A
client like this one is all an upstream needs: it holds the service's shared `AsyncClient`
and its own base URL, sends what the upstream's API expects and returns models, so routes
and jobs never see the upstream's wire format.
"""

import datetime

import httpx
from pydantic import BaseModel, Field, HttpUrl, ValidationError

from .errors import UpstreamNotConfiguredError, UpstreamResponseError

CURRENCY = "^[A-Z]{3}$"
"""An ISO 4217 code, e.g. EUR."""


class UpstreamRate(BaseModel):
    """The upstream's answer, as its API documents it."""

    rate: float = Field(gt=0, allow_inf_nan=False)
    date: datetime.date


class Rate(BaseModel):
    """What the service says about a rate."""

    base: str = Field(pattern=CURRENCY, examples=["EUR"])
    quote: str = Field(pattern=CURRENCY, examples=["USD"])
    rate: float = Field(gt=0, description="Units of `quote` one unit of `base` buys.")
    date: datetime.date = Field(description="The day the rate was fixed.")


class RatesClient:
    def __init__(self, client: httpx.AsyncClient, base_url: HttpUrl | None) -> None:
        """`base_url` None: the setting is unset, and every call raises
        `UpstreamNotConfiguredError` (the service starts and is ready without it)."""
        self.client = client
        self.base_url = None if base_url is None else str(base_url).rstrip("/")

    async def get(self, base: str, quote: str) -> Rate | None:
        """The rate from `base` to `quote` (ISO 4217 codes); None when a code is unknown."""
        if self.base_url is None:
            raise UpstreamNotConfiguredError("rates_url")
        response = await self.client.get(f"{self.base_url}/rates/{base}/{quote}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        response.raise_for_status()
        try:
            answer = UpstreamRate.model_validate_json(response.content)
        except ValidationError as error:
            raise UpstreamResponseError(response, f"unexpected body: {error}") from error
        return Rate(base=base, quote=quote, rate=answer.rate, date=answer.date)
