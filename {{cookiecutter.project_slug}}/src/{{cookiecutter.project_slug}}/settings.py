"""Typed settings of the core, read from the environment and from `.env`.

Modules add their own settings as mixins (see `modules.py`), so every variable
shares one prefix and one `.env` file, and one `Settings` object reaches all code.
"""

{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}
from typing import Any, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
{% else %}
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
{% endif %}

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

    def production_problems(self) -> list[str]:
        """Why these settings are unsafe in production: one line each, naming the variable.

        A mixin with rules of its own extends this and calls `super()`, so the service's
        `Settings`, which combines every mixin, runs every module's rules.
        """
        return []


def variable(field: str) -> str:
    """The environment variable that sets `field`."""
    return ENV_PREFIX + field.upper()


class CoreSettings(BaseServiceSettings):
    """What every deployment of the service can tune."""

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    max_body_size: int = Field(
        default=1_048_576, ge=0, description="Largest request body in bytes; larger gets 413."
    )
    docs_enabled: bool = Field(
        default=True,
        description="Serve /docs, /redoc and /openapi.json; production needs it set explicitly.",
    )
    shutdown_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a stop (SIGTERM) waits for requests, WebSockets and in-process jobs "
            "before cutting them off; keep it under the orchestrator's grace period."
        ),
    )
    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        description=(
            "Allocations between young garbage collections (Python: 700 up to 3.13); rarer "
            "ones mean rarer full ones, which pause everything. 0 leaves Python's settings."
        ),
    )

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.docs_enabled and "docs_enabled" not in self.model_fields_set:
            problems.append(
                f"{variable('docs_enabled')} is unset: the API docs would be public; "
                "set it to false, or to true to publish them on purpose"
            )
        return problems
{% if cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}


class RedisSettings(BaseServiceSettings):
    """Shared by every module that can scale out through Redis."""

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(ENV_PREFIX + "REDIS_URL", "REDIS_URL"),
        repr=False,  # it may hold a password
        description="redis://host:port/db; unset keeps everything in this process.",
    )
    redis_connect_timeout: float = Field(
        default=2.0, gt=0, description="Seconds to open a connection to Redis."
    )
    redis_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds one Redis command, or the wait for a pooled connection, may take.",
    )
    redis_retries: int = Field(
        default=1,
        ge=0,
        le=10,
        description="Retries of a command whose connection failed or timed out (jittered pause).",
    )
    redis_health_check_interval: float = Field(
        default=10.0,
        ge=0,
        description="Idle seconds after which a pooled connection is PINGed before use; 0: never.",
    )

    def redis_options(self) -> dict[str, Any]:
        """Options of every Redis client the service opens, so an outage looks the same on every
        path: a command fails within `(retries + 1) * timeout` seconds, never hangs."""
        return {
            "socket_connect_timeout": self.redis_connect_timeout,
            "socket_timeout": self.redis_timeout,
            "health_check_interval": self.redis_health_check_interval,
            "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), self.redis_retries),
        }
{% endif %}
