"""Outbound HTTP: one shared `httpx.AsyncClient` with timeouts, retries and a deadline.

For other code, the interface is the client itself:

- in a route: a parameter typed `HttpClient` (`client.py`);
{% if cookiecutter.background_worker %}
- in a job: a parameter typed `JobHttpClient` (`worker/http_jobs.py`), the same client,
  in the service's process and in a worker's;
{% endif %}
- in another module's lifespan: `state["http_client"]`.

Each upstream gets a small typed client around it, built at start-up from a base URL in
the settings (`rates.py` is the example); upstream failures not handled where they occur
become problems (`errors.py`): 504 for a timeout, 502 for an unreachable or failing upstream.
"""

import httpx

from ..module import Module
from .client import HttpClient, HttpClientState, Rates, open_http_client
from .errors import EXCEPTION_HANDLERS
from .rates import Rate, RatesClient
from .routes import router
from .settings import HttpClientSettings

__all__ = [
    "HttpClient",
    "HttpClientSettings",
    "HttpClientState",
    "Rate",
    "Rates",
    "RatesClient",
    "http_client_module",
]


def http_client_module(
    settings: HttpClientSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Module:
    """The module; `transport` replaces the network (tests pass an `httpx.MockTransport`)."""
    return Module(
        name="http_client",
        routers=[router],
        lifespan=lambda _app, _state: open_http_client(settings, transport),
        exception_handlers=EXCEPTION_HANDLERS,
    )
