{% set mw = cookiecutter %}
{% set any_on = mw.request_id or mw.security_headers or mw.cors or mw.gzip or mw.rate_limit %}
"""Optional pure-ASGI middleware, chosen at generation time, in a deliberate order.

{% if any_on %}
Outermost first; each one sees what every later one produces:

{% if mw.request_id %}
- `RequestIdMiddleware`: first, so its id, timing and access log line cover every
  response, including those made further in (CORS rejections, 429, 413).
{% endif %}
{% if mw.security_headers %}
- `SecurityHeadersMiddleware`: on every response, errors included.
{% endif %}
{% if mw.cors %}
- `CORSMiddleware`: answers preflights before any limit counts them, and puts CORS headers
  on error responses too, so browsers let scripts read a 429 or a 413.
{% endif %}
{% if mw.gzip %}
- `GZipMiddleware`: compresses what the app and the limits produce; nothing outside it
  touches the body.
{% endif %}
{% if mw.rate_limit %}
- `RateLimitMiddleware`: last, so a refused request costs no more than a bucket lookup.
{% endif %}

The core adds `BodyLimitMiddleware` inside all of these, next to the app.
{% else %}
None was chosen; the core still wraps the app in `BodyLimitMiddleware`.
{% endif %}
"""

{% if mw.rate_limit or mw.security_headers or mw.cors %}
{% if mw.rate_limit %}
import time
{% endif %}
{% if mw.rate_limit and mw.request_id %}
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
{% elif mw.rate_limit %}
from collections.abc import Callable
{% endif %}
{% if mw.security_headers and mw.cors %}
from typing import Literal, Self
{% elif mw.security_headers %}
from typing import Literal
{% elif mw.cors %}
from typing import Self
{% endif %}

{% endif %}
{% if any_on %}
{% if mw.cors %}
from pydantic import Field, model_validator
{% else %}
from pydantic import Field
{% endif %}
from starlette.middleware import Middleware
{% if mw.cors %}
from starlette.middleware.cors import CORSMiddleware
{% endif %}
{% if mw.gzip %}
from starlette.middleware.gzip import GZipMiddleware
{% endif %}

{% endif %}
{% if mw.request_id and mw.rate_limit %}
from ..module import Module, State
{% else %}
from ..module import Module
{% endif %}
{% if mw.rate_limit and mw.cors %}
from ..settings import ENV_PREFIX, RedisSettings
{% elif mw.rate_limit %}
from ..settings import RedisSettings
{% elif mw.cors %}
from ..settings import ENV_PREFIX, BaseServiceSettings
{% else %}
from ..settings import BaseServiceSettings
{% endif %}
{% if mw.rate_limit %}
from .rate_limit import RateLimiter, RateLimitMiddleware
{% endif %}
{% if mw.request_id %}
from .request_id import RequestIdMiddleware, json_logging
{% endif %}
{% if mw.security_headers %}
from .security_headers import API_CSP, SecurityHeadersMiddleware
{% endif %}


class MiddlewareSettings({{ "RedisSettings" if mw.rate_limit else "BaseServiceSettings" }}):
    """Settings of the optional middleware."""
{% if mw.request_id %}

    access_log: bool = Field(
        default=True,
        description="One JSON line per request on the `{{ mw.project_slug }}.access` logger.",
    )
{% endif %}
{% if mw.security_headers %}

    hsts_max_age: int = Field(
        default=0,
        ge=0,
        description="Strict-Transport-Security max-age in seconds; 0 sends none (plain-HTTP dev).",
    )
    hsts_include_subdomains: bool = False
    content_security_policy: str = Field(
        default=API_CSP, description="CSP of every response but the docs pages."
    )
    frame_options: Literal["DENY", "SAMEORIGIN"] = "DENY"
    referrer_policy: str = "no-referrer"
{% endif %}
{% if mw.cors %}

    cors_allow_origins: list[str] = Field(
        default=[], description='Origins allowed to call the API, e.g. ["https://app.example.com"].'
    )
    cors_allow_methods: list[str] = Field(default=[], description="Methods for preflights.")
    cors_allow_headers: list[str] = Field(default=[], description="Request headers for preflights.")
    cors_allow_credentials: bool = False
    cors_expose_headers: list[str] = Field(
        default=[{{ ((["X-Request-ID"] if mw.request_id else []) + (["Retry-After", "RateLimit", "RateLimit-Policy"] if mw.rate_limit else [])) | map("tojson") | join(", ") }}],
        description="Response headers browser scripts may read.",
    )
    cors_max_age: int = Field(default=600, ge=0, description="Seconds browsers cache a preflight.")
{% endif %}
{% if mw.gzip %}

    gzip_minimum_size: int = Field(
        default=500, ge=0, description="Smaller response bodies are sent uncompressed."
    )
    gzip_compress_level: int = Field(default=6, ge=1, le=9)
{% endif %}
{% if mw.rate_limit %}

    rate_limit_requests: int = Field(
        default=120, ge=1, description="Requests a client may burst; the bucket size."
    )
    rate_limit_window: int = Field(
        default=60, ge=1, description="Seconds in which an empty bucket refills completely."
    )
    rate_limit_key_header: str | None = Field(
        default=None, description="Header (e.g. X-API-Key) naming the client; else its IP."
    )
    rate_limit_exempt_paths: list[str] = Field(default=["/health"])
    rate_limit_redis_prefix: str = "{{ mw.project_slug }}:rate-limit:"
{% endif %}
{% if mw.cors %}

    @model_validator(mode="after")
    def _no_credentials_for_any_origin(self) -> Self:
        # `environment` is CoreSettings': the service's Settings combines both.
        production = getattr(self, "environment", None) == "production"
        if production and self.cors_allow_credentials and "*" in self.cors_allow_origins:
            raise ValueError(
                f"{ENV_PREFIX}CORS_ALLOW_ORIGINS holds '*' and {ENV_PREFIX}CORS_ALLOW_CREDENTIALS "
                "is true: any site could act with your users' credentials; list the allowed "
                "origins instead"
            )
        return self
{% endif %}


{% if mw.rate_limit %}
def middleware_module(
    settings: MiddlewareSettings, *, clock: Callable[[], float] = time.time
) -> Module:
    """The enabled middleware, outermost first; `clock` (seconds) drives the rate limit."""
    limiter = RateLimiter(
        settings.rate_limit_requests,
        settings.rate_limit_window,
        redis=settings,
        prefix=settings.rate_limit_redis_prefix,
        clock=clock,
    )
{% else %}
def middleware_module(settings: MiddlewareSettings) -> Module:
    """The enabled middleware, outermost first."""
{% endif %}
{% if mw.request_id and mw.rate_limit %}

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[State]:
        async with json_logging(), limiter.lifespan():
            yield {}

{% endif %}
{% if not any_on %}
    return Module(name="middleware")
{% else %}
    return Module(
        name="middleware",
{% if mw.request_id and mw.rate_limit %}
        lifespan=lifespan,
{% elif mw.request_id %}
        lifespan=json_logging,
{% elif mw.rate_limit %}
        lifespan=limiter.lifespan,
{% endif %}
        middleware=[
{% if mw.request_id %}
            Middleware(RequestIdMiddleware, access_log=settings.access_log),
{% endif %}
{% if mw.security_headers %}
            Middleware(
                SecurityHeadersMiddleware,
                content_security_policy=settings.content_security_policy,
                hsts_max_age=settings.hsts_max_age,
                hsts_include_subdomains=settings.hsts_include_subdomains,
                frame_options=settings.frame_options,
                referrer_policy=settings.referrer_policy,
            ),
{% endif %}
{% if mw.cors %}
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_allow_origins,
                allow_methods=settings.cors_allow_methods,
                allow_headers=settings.cors_allow_headers,
                allow_credentials=settings.cors_allow_credentials,
                expose_headers=settings.cors_expose_headers,
                max_age=settings.cors_max_age,
            ),
{% endif %}
{% if mw.gzip %}
            Middleware(
                GZipMiddleware,
                minimum_size=settings.gzip_minimum_size,
                compresslevel=settings.gzip_compress_level,
            ),
{% endif %}
{% if mw.rate_limit %}
            Middleware(
                RateLimitMiddleware,
                limiter=limiter,
                key_header=settings.rate_limit_key_header,
                exempt_paths=settings.rate_limit_exempt_paths,
            ),
{% endif %}
        ],
    )
{% endif %}
