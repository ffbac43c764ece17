"""CORS from settings: every cross-origin browser call is denied until origins are listed.

Starlette's `CORSMiddleware` (pure ASGI) does the work; this file holds its settings.
"""

from pydantic import Field
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from ..module import Module
from ..settings import BaseServiceSettings, variable


class CorsSettings(BaseServiceSettings):
    cors_allow_origins: list[str] = Field(
        default=[], description='Origins allowed to call the API, e.g. ["https://app.example.com"].'
    )
    cors_allow_methods: list[str] = Field(default=[], description="Methods for preflights.")
    cors_allow_headers: list[str] = Field(default=[], description="Request headers for preflights.")
    cors_allow_credentials: bool = False
    cors_expose_headers: list[str] = Field(
        default=[{{ ((["X-Request-ID"] if cookiecutter.request_id else []) + (["Retry-After", "RateLimit", "RateLimit-Policy"] if cookiecutter.rate_limit else [])) | map("tojson") | join(", ") }}],
        description="Response headers browser scripts may read.",
    )
    cors_max_age: int = Field(default=600, ge=0, description="Seconds browsers cache a preflight.")

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.cors_allow_credentials and "*" in self.cors_allow_origins:
            problems.append(
                f"{variable('cors_allow_origins')} holds '*' while "
                f"{variable('cors_allow_credentials')} is true: any site could act with your "
                "users' credentials; list the allowed origins instead"
            )
        return problems


def cors_module(settings: CorsSettings) -> Module:
    """Outside any limit, so preflights are never counted and errors carry CORS headers
    (browsers then let scripts read a 429 or a 413)."""
    return Module(
        name="cors",
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_allow_origins,
                allow_methods=settings.cors_allow_methods,
                allow_headers=settings.cors_allow_headers,
                allow_credentials=settings.cors_allow_credentials,
                expose_headers=settings.cors_expose_headers,
                max_age=settings.cors_max_age,
            )
        ],
    )
