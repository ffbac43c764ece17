"""Security headers on every response; the docs pages get only the CSP they need."""

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Response
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.middleware.security_headers import (
    API_CSP,
    DOCS_CSP,
    SecurityHeadersMiddleware,
)
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

from support.callers import asgi_client

router = APIRouter()


@router.get("/page")
async def page() -> Response:
    return Response("<p>hi</p>", media_type="text/html", headers={"X-Frame-Options": "SAMEORIGIN"})


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    enabled = [*modules(settings), Module(name="probe", routers=[router])]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


@pytest.mark.parametrize("path", ["/health/live", "/nowhere", "/items/not-an-id"])
async def test_every_response_gets_the_headers(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == API_CSP
    assert "strict-transport-security" not in response.headers


async def test_oversize_body_413_gets_them_too(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_body_size": 8}))
    async with asgi_client(app) as client:
        response = await client.post("/items", json={"name": "far too long"})
    assert response.status_code == 413
    assert response.headers["content-security-policy"] == API_CSP


async def test_unhandled_error_500_gets_them_too(settings: Settings, crashing: Module) -> None:
    app = create_app(settings, enabled=[*modules(settings), crashing])
    async with asgi_client(app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_hsts_when_configured(settings: Settings) -> None:
    update = {"hsts_max_age": 31_536_000, "hsts_include_subdomains": True}
    app = create_app(settings.model_copy(update=update))
    async with AsyncClient(transport=ASGITransport(app), base_url="https://test") as client:
        response = await client.get("/health/live")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_HSTS_MAX_AGE", "600")
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_FRAME_OPTIONS", "SAMEORIGIN")
    settings = Settings(_env_file=None)
    assert (settings.hsts_max_age, settings.frame_options) == (600, "SAMEORIGIN")
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_FRAME_OPTIONS", "ALLOW")
    with pytest.raises(ValueError, match="frame_options"):
        Settings(_env_file=None)


async def test_headers_the_app_set_win(client: AsyncClient) -> None:
    response = await client.get("/page")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["content-security-policy"] == API_CSP


def sources(csp: str, directive: str) -> set[str]:
    for part in csp.split(";"):
        name, *values = part.split()
        if name == directive:
            return set(values)
    return set()


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_pages_may_load_what_they_use(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert csp == DOCS_CSP
    assert response.headers["x-frame-options"] == "DENY"
    scripts = re.findall(r'<script src="([^"]+)"', response.text)
    styles = re.findall(r'<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', response.text)
    styles += re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', response.text)
    icons = re.findall(r'<link rel="shortcut icon" href="([^"]+)"', response.text)
    assert scripts
    for urls, directive in ((scripts, "script-src"), (styles, "style-src"), (icons, "img-src")):
        for url in urls:
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}" in sources(csp, directive), url


async def test_docs_csp_follows_the_root_path(settings: Settings) -> None:
    transport = ASGITransport(create_app(settings), root_path="/api")
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        docs = await client.get("/api/docs")
        live = await client.get("/api/health/live")
    assert docs.status_code == live.status_code == 200
    assert docs.headers["content-security-policy"] == DOCS_CSP
    assert live.headers["content-security-policy"] == API_CSP


async def test_headers_given_as_a_tuple_are_extended() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": ()})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - the app never reads
        return {"type": "http.disconnect"}

    scope = {"type": "http", "path": "/", "headers": []}
    await SecurityHeadersMiddleware(app, referrer_policy="same-origin")(scope, receive, send)
    assert (b"referrer-policy", b"same-origin") in sent[0]["headers"]
