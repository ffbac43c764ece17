"""Security headers on every HTTP response, with a looser CSP only on the API docs pages."""

from collections.abc import Collection
from typing import Literal

from pydantic import Field
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..module import Module
from ..settings import BaseServiceSettings, variable

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""JSON needs nothing loaded, framed or submitted."""

DOCS_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src https://fonts.gstatic.com; "
    "connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
"""What Swagger UI and ReDoc, as FastAPI serves them, load from their CDNs."""

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


class SecurityHeadersMiddleware:
    """Pure ASGI: adds the headers, keeping any of them the app set itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_security_policy: str = API_CSP,
        docs_paths: Collection[str] = DOCS_PATHS,
        hsts_max_age: int = 0,
        hsts_include_subdomains: bool = False,
        frame_options: Literal["DENY", "SAMEORIGIN"] = "DENY",
        referrer_policy: str = "no-referrer",
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": frame_options,
            "Referrer-Policy": referrer_policy,
        }
        if hsts_max_age > 0:
            hsts = f"max-age={hsts_max_age}"
            if hsts_include_subdomains:
                hsts += "; includeSubDomains"
            common["Strict-Transport-Security"] = hsts
        self.headers = _raw(common | {"Content-Security-Policy": content_security_policy})
        self.docs_headers = _raw(common | {"Content-Security-Policy": DOCS_CSP})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        extra = self.docs_headers if path in self.docs_paths else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI sends them: lower-case names, bytes."""
    return [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]


class SecurityHeadersSettings(BaseServiceSettings):
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

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.hsts_max_age == 0:
            problems.append(
                f"{variable('hsts_max_age')} is 0: browsers may reach the service over plain "
                "HTTP; set it, e.g. to 31536000 (a year), once it is served over HTTPS only"
            )
        return problems


def security_headers_module(settings: SecurityHeadersSettings) -> Module:
    return Module(
        name="security_headers",
        middleware=[
            Middleware(
                SecurityHeadersMiddleware,
                content_security_policy=settings.content_security_policy,
                hsts_max_age=settings.hsts_max_age,
                hsts_include_subdomains=settings.hsts_include_subdomains,
                frame_options=settings.frame_options,
                referrer_policy=settings.referrer_policy,
            )
        ],
    )
