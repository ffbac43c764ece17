"""Jobs with the service's HTTP client, from the same dependencies the routes use."""

from typing import Annotated

import httpx
from fastapi import Request
from taskiq import TaskiqDepends

from ..http_client import Rate, RatesClient
from ..http_client.client import get_http_client, get_rates


async def job_http_client(request: Annotated[Request, TaskiqDepends()]) -> httpx.AsyncClient:
    """The routes' client: one per process, opened by the app's lifespan, which a worker
    process runs too.

    taskiq hands a dependency the app's `Request` only where it is asked for with
    `TaskiqDepends`, hence this wrapper.
    """
    return await get_http_client(request)


async def job_rates(request: Annotated[Request, TaskiqDepends()]) -> RatesClient:
    return await get_rates(request)


JobHttpClient = Annotated[httpx.AsyncClient, TaskiqDepends(job_http_client)]
JobRates = Annotated[RatesClient, TaskiqDepends(job_rates)]


async def fetch_rate(base: str, quote: str, rates: JobRates) -> Rate | None:
    """Example of a job calling an upstream; it fails, and is retried, as the upstream does."""
    return await rates.get(base, quote)
