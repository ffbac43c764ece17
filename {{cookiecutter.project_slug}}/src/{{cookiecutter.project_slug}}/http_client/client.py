"""One `httpx.AsyncClient` per process, from start-up to shutdown, and how code reaches it.

One client, so every call shares one connection pool: connections to an upstream are
reused across requests and jobs, and `max_connections` bounds them all together.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypedDict

import httpx
from fastapi import Depends, Request

from ..module import Resources
{% if cookiecutter.metrics %}
from .metrics import MeasuredTransport
{% endif %}
{% if cookiecutter.request_id %}
from .propagation import propagate_request_id
{% endif %}
from .rates import RatesClient
from .retry import RetryTransport
from .settings import HttpClientSettings


class HttpClientState(TypedDict):
    http_client: httpx.AsyncClient
    rates: RatesClient


def create_client(
    settings: HttpClientSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client with the settings' timeouts, limits and retries.

    `transport` replaces the network (tests pass an `httpx.MockTransport`); retries wrap it{% if cookiecutter.metrics %},
    and the metrics wrap the retries{% endif %}.
    Proxies named in the environment (`HTTPS_PROXY`) are not used: give the transport a
    `proxy=` when calls must go through one.
    """
    if transport is None:
        limits = httpx.Limits(
            max_connections=settings.http_client_max_connections,
            max_keepalive_connections=settings.http_client_max_keepalive,
        )
        transport = httpx.AsyncHTTPTransport(limits=limits)
    retrying = RetryTransport(
        transport,
        retries=settings.http_client_retries,
        backoff_base=settings.http_client_backoff_base,
        backoff_cap=settings.http_client_backoff_cap,
        deadline=settings.http_client_deadline,
    )
    return httpx.AsyncClient(
{% if cookiecutter.metrics %}
        transport=MeasuredTransport(retrying),
{% else %}
        transport=retrying,
{% endif %}
        timeout=httpx.Timeout(
            connect=settings.http_client_connect_timeout,
            read=settings.http_client_read_timeout,
            write=settings.http_client_write_timeout,
            pool=settings.http_client_pool_timeout,
        ),
{% if cookiecutter.request_id %}
        event_hooks={"request": [propagate_request_id]},
{% endif %}
    )


@asynccontextmanager
async def open_http_client(
    settings: HttpClientSettings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Resources]:
    """The module's lifespan: the client, closed (its connections with it) at shutdown.

    No readiness check: an upstream outage makes the calls that need it fail, and must not
    take the whole service out of rotation.
    """
    async with create_client(settings, transport) as client:
        rates = RatesClient(client, settings.rates_url)
        yield Resources(HttpClientState(http_client=client, rates=rates))


async def get_http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.http_client
    return client


HttpClient = Annotated[httpx.AsyncClient, Depends(get_http_client)]
"""The service's client, for routes; upstream failures become 502 and 504 problems."""


async def get_rates(request: Request) -> RatesClient:
    rates: RatesClient = request.state.rates
    return rates


Rates = Annotated[RatesClient, Depends(get_rates)]
