"""Settings of the outbound HTTP client, shared by every upstream the service calls."""

from pydantic import Field, HttpUrl

from ..settings import BaseServiceSettings


class HttpClientSettings(BaseServiceSettings):
    """How long a call to an upstream may take, how many connections it may hold, and how
    failed connections are retried."""

    http_client_connect_timeout: float = Field(
        default=2.0, gt=0, description="Seconds to open a connection to an upstream."
    )
    http_client_read_timeout: float = Field(
        default=10.0, gt=0, description="Seconds an upstream may stay silent while answering."
    )
    http_client_write_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a request body may wait to be sent."
    )
    http_client_pool_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds a call waits for a free connection when all are in use.",
    )
    http_client_max_connections: int = Field(
        default=100, ge=1, description="Connections open at once, to all upstreams together."
    )
    http_client_max_keepalive: int = Field(
        default=20, ge=0, description="Idle connections kept open for the next call."
    )
    http_client_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description=(
            "Retries of an idempotent call whose connection failed before any response "
            "(refused, reset, connect timeout)."
        ),
    )
    http_client_backoff_base: float = Field(
        default=0.1,
        gt=0,
        description="Seconds up to which the first retry waits (at random); doubles each retry.",
    )
    http_client_backoff_cap: float = Field(
        default=2.0, gt=0, description="Upper bound of the wait before a retry, in seconds."
    )
    http_client_deadline: float = Field(
        default=15.0,
        gt=0,
        description=(
            "Seconds one call may take until the response headers, every attempt and wait "
            "included; past it the call fails as a timeout."
        ),
    )
    rates_url: HttpUrl | None = Field(
        default=None,
        description="Base URL of the exchange-rate upstream; unset, `GET /rates/...` gets 503.",
    )
