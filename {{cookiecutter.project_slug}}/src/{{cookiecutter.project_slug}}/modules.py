"""The registry: the only place that lists the modules this project was generated with."""

{% if cookiecutter.auth == "oidc" %}
from .auth import AuthSettings, auth_module
{% if cookiecutter.websockets %}
from .auth.channels import channel_rules, token_clients
{% endif %}
{% endif %}
from .collector import collector_module
{% if cookiecutter.database != "none" %}
from .db import DatabaseSettings, database_module
{% endif %}
{% if cookiecutter.http_client %}
from .http_client import HttpClientSettings, http_client_module
{% endif %}
from .items import items_module
{% if cookiecutter.metrics %}
from .metrics import MetricsSettings, metrics_module
{% endif %}
{% if cookiecutter.cors %}
from .middleware.cors import CorsSettings, cors_module
{% endif %}
{% if cookiecutter.gzip %}
from .middleware.gzip import GzipSettings, gzip_module
{% endif %}
{% if cookiecutter.rate_limit %}
from .middleware.rate_limit import RateLimitSettings, rate_limit_module
{% endif %}
{% if cookiecutter.request_id %}
from .middleware.request_id import RequestIdSettings, request_id_module
{% endif %}
{% if cookiecutter.security_headers %}
from .middleware.security_headers import SecurityHeadersSettings, security_headers_module
{% endif %}
from .module import Module
{% if cookiecutter.websockets %}
from .realtime import RealtimeSettings, realtime_module
{% endif %}
from .settings import CoreSettings
{% if cookiecutter.tracing %}
from .tracing import tracing_module
{% if cookiecutter.database != "none" %}
from .tracing.database import database_tracing_module
{% endif %}
{% if cookiecutter.http_client %}
from .tracing.http import http_client_tracing_module
{% endif %}
{% endif %}
{% if cookiecutter.background_worker %}
from .worker import WorkerSettings, worker_module
{% endif %}


class Settings(
    CoreSettings,
{% if cookiecutter.metrics %}
    MetricsSettings,
{% endif %}
{% if cookiecutter.request_id %}
    RequestIdSettings,
{% endif %}
{% if cookiecutter.security_headers %}
    SecurityHeadersSettings,
{% endif %}
{% if cookiecutter.cors %}
    CorsSettings,
{% endif %}
{% if cookiecutter.gzip %}
    GzipSettings,
{% endif %}
{% if cookiecutter.rate_limit %}
    RateLimitSettings,
{% endif %}
{% if cookiecutter.database != "none" %}
    DatabaseSettings,
{% endif %}
{% if cookiecutter.http_client %}
    HttpClientSettings,
{% endif %}
{% if cookiecutter.auth == "oidc" %}
    AuthSettings,
{% endif %}
{% if cookiecutter.websockets %}
    RealtimeSettings,
{% endif %}
{% if cookiecutter.background_worker %}
    WorkerSettings,
{% endif %}
):
    """All settings of the service: the core's plus each module's mixin."""


def modules(settings: Settings) -> list[Module]:
    """The enabled modules, in start-up order (shut down in reverse).

    Their middleware wraps the app in the same order, outermost first: request ids first, so
    their log line covers every response; security headers on every response, errors
    included; CORS before any limit counts a preflight; GZip around what the limits produce;
    the rate limit last, so a refused request costs only a bucket lookup. The collector
    starts last, so it freezes what every other module opened.
{% if cookiecutter.auth == "oidc" %}
    Authentication starts before the modules whose routes take a principal.
{% endif %}
{% if cookiecutter.metrics %}
    Metrics come before even the request ids: they count every response as the client gets
    it, and answer a scrape before any other layer runs (no access line, no rate limit).
{% endif %}
{% if cookiecutter.tracing %}
    Tracing comes before them all: its span covers every layer (and the access line carries
    its ids), and its provider is installed before any module starts; its parts for the
    database and the HTTP client follow the modules they instrument.
{% endif %}
{% if cookiecutter.http_client and cookiecutter.background_worker %}
    The HTTP client starts before the worker, so it closes after it: jobs that finish
    during a shutdown can still call upstreams.
{% endif %}
    """
    return [
{% if cookiecutter.tracing %}
        tracing_module(),
{% endif %}
{% if cookiecutter.metrics %}
        metrics_module(settings),
{% endif %}
{% if cookiecutter.request_id %}
        request_id_module(settings),
{% endif %}
{% if cookiecutter.security_headers %}
        security_headers_module(settings),
{% endif %}
{% if cookiecutter.cors %}
        cors_module(settings),
{% endif %}
{% if cookiecutter.gzip %}
        gzip_module(settings),
{% endif %}
{% if cookiecutter.rate_limit %}
        rate_limit_module(settings),
{% endif %}
{% if cookiecutter.database != "none" %}
        database_module(settings),
{% if cookiecutter.tracing %}
        database_tracing_module(),
{% endif %}
{% endif %}
{% if cookiecutter.http_client %}
        http_client_module(settings),
{% if cookiecutter.tracing %}
        http_client_tracing_module(),
{% endif %}
{% endif %}
{% if cookiecutter.auth == "oidc" %}
        auth_module(settings, development=settings.environment == "development"),
{% endif %}
        items_module(),
{% if cookiecutter.websockets and cookiecutter.auth == "oidc" %}
        realtime_module(
            settings,
            authenticate=token_clients(settings.realtime_allow_anonymous),
            authorize=channel_rules,
        ),
{% elif cookiecutter.websockets %}
        realtime_module(settings),
{% endif %}
{% if cookiecutter.background_worker %}
        worker_module(settings, shutdown_timeout=settings.shutdown_timeout),
{% endif %}
        collector_module(settings.gc_young_threshold),
    ]
