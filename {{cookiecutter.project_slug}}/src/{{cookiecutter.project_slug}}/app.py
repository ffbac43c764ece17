"""The application factory: settings -> modules -> lifespan, errors, middleware, routes."""

from collections.abc import Sequence
from importlib import metadata

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from . import TITLE, problems
from .api import health
from .lifespan import lifespan_for
from .middleware.body_limit import BodyLimitMiddleware
from .middleware.unhandled_errors import UnhandledErrorMiddleware
from .module import Module
from .modules import Settings, modules

NO_BUILT_IN_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""FastAPI's own OpenTelemetry support, off: requests are measured and traced by this
service's own modules, and FastAPI would otherwise look for a configured provider on every
request (three environment lookups, about 6 µs)."""


def create_app(
    settings: Settings | None = None, *, enabled: Sequence[Module] | None = None
) -> FastAPI:
    """Build the service; nothing connects to anything until the lifespan starts.

    `enabled` replaces the registry's modules (tests use it to add probes).
    """
    settings = settings or Settings()
    if enabled is None:
        enabled = modules(settings)
    package = metadata.metadata("{{ cookiecutter.project_slug.replace('_', '-') }}")
    app = FastAPI(
        telemetry=NO_BUILT_IN_TELEMETRY,
        title=TITLE,
        description=package["Summary"],
        version=package["Version"],
        lifespan=lifespan_for(enabled),
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    problems.install(app, {code: why for m in enabled for code, why in m.responses.items()})
    app.include_router(health.router)
    for module in enabled:
        for router in module.routers:
            app.include_router(router)
        for exc_class, handler in module.exception_handlers.items():
            app.add_exception_handler(exc_class, handler)
    # add_middleware wraps: the last added runs first, so add innermost first. The body
    # limit and the 500 problem sit next to the app, so module middleware (request ids,
    # headers) sees their 413s and 500s as it sees any response.
    app.add_middleware(BodyLimitMiddleware, max_body_size=settings.max_body_size)
    app.add_middleware(UnhandledErrorMiddleware)
    for middleware in reversed([m for module in enabled for m in module.middleware]):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    return app
