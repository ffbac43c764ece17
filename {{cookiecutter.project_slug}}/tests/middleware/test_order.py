"""The order of the layers: the chosen middleware outermost first, then the 500 problem and the
body limit."""

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import asgi_client


class Stamp:
    """Marks every HTTP response that passes through it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-stamp", "seen")
            await send(message)

        await self.app(scope, receive, stamped)


def test_chosen_layers_outermost_first(settings: Settings) -> None:
    middleware = [layer for module in modules(settings) for layer in module.middleware]
    layers = [getattr(layer.cls, "__name__", None) for layer in middleware]
{% set chosen = [] %}
{% if cookiecutter.metrics %}{% set _ = chosen.append("MetricsMiddleware") %}{% endif %}
{% if cookiecutter.request_id %}{% set _ = chosen.append("RequestIdMiddleware") %}{% endif %}
{% if cookiecutter.security_headers %}{% set _ = chosen.append("SecurityHeadersMiddleware") %}{% endif %}
{% if cookiecutter.cors %}{% set _ = chosen.append("CORSMiddleware") %}{% endif %}
{% if cookiecutter.gzip %}{% set _ = chosen.append("GZipMiddleware") %}{% endif %}
{% if cookiecutter.rate_limit %}{% set _ = chosen.append("RateLimitMiddleware") %}{% endif %}
{% if chosen %}
    assert layers == [
{% for name in chosen %}
        "{{ name }}",
{% endfor %}
    ]
{% else %}
    assert layers == []
{% endif %}


async def test_body_limit_sits_inside_module_middleware(settings: Settings) -> None:
    stamp = Module(name="stamp", middleware=[Middleware(Stamp)])
    app = create_app(settings.model_copy(update={"max_body_size": 8}), enabled=[stamp])
    async with asgi_client(app) as client:
        response = await client.post("/items", json={"name": "far too long"})
    assert response.status_code == 413
    assert response.headers["x-stamp"] == "seen"


async def test_unhandled_errors_are_answered_inside_module_middleware(
    settings: Settings, crashing: Module
) -> None:
    stamp = Module(name="stamp", middleware=[Middleware(Stamp)])
    app = create_app(settings, enabled=[stamp, crashing])
    async with asgi_client(app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["x-stamp"] == "seen"
