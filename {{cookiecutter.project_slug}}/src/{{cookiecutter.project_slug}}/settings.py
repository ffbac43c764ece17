"""Typed settings of the core, read from the environment and from `.env`.

Modules add their own settings as mixins (see `modules.py`), so every variable
shares one prefix and one `.env` file, and one `Settings` object reaches all code.
"""

from typing import Literal

{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}
from pydantic import AliasChoices, Field
{% else %}
from pydantic import Field
{% endif %}
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "{{ cookiecutter.project_slug.upper() }}_"


class BaseServiceSettings(BaseSettings):
    """Base of every settings mixin: one prefix, one `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_by_name=True,
    )


class CoreSettings(BaseServiceSettings):
    """What every deployment of the service can tune."""

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    max_body_size: int = Field(
        default=1_048_576, ge=0, description="Largest request body in bytes; larger gets 413."
    )
    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc and /openapi.json.")
    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        description=(
            "Allocations between young garbage collections (Python: 700 up to 3.13); rarer "
            "ones mean rarer full ones, which pause everything. 0 leaves Python's settings."
        ),
    )
{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}


class RedisSettings(BaseServiceSettings):
    """Shared by every module that can scale out through Redis."""

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(ENV_PREFIX + "REDIS_URL", "REDIS_URL"),
        description="redis://host:port/db; unset keeps everything in this process.",
    )
{% endif %}
