"""CORS from settings: every cross-origin browser call is denied until origins are listed.

Starlette's `CORSMiddleware` (pure ASGI) does the work; this file holds its settings.
"""

from typing import Self

from pydantic import Field, model_validator
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from ..module import Module
from ..settings import ENV_PREFIX, BaseServiceSettings


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
