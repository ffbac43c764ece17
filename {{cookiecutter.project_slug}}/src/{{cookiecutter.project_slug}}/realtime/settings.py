"""Settings of the WebSocket channels; `redis_url` (shared) switches to Redis pub/sub."""

from pydantic import Field

from ..settings import RedisSettings, variable


class RealtimeSettings(RedisSettings):
    """Limits of each WebSocket connection, and where messages travel between processes."""

    realtime_max_message_size: int = Field(
        default=65_536, ge=1, description="Largest client frame in bytes; larger closes with 1009."
    )
    realtime_send_queue_size: int = Field(
        default=256,
        ge=1,
        description="Frames waiting for a slow client; overflowing closes it with 1013.",
    )
    realtime_max_channels: int = Field(
        default=100, ge=1, description="Channels one connection may subscribe to."
    )
    realtime_idle_timeout: float = Field(
        default=120.0,
        ge=0,
        description="Close (1001) a connection that sends nothing for this long; 0: never.",
    )
    realtime_close_timeout: float = Field(
        default=5.0,
        gt=0,
        description=(
            "Seconds a client may take to complete a closing handshake, or to accept any data "
            "sent to it; after that its connection is dropped."
        ),
    )
    realtime_publish_queue_size: int = Field(
        default=256,
        ge=1,
        description="Messages waiting to be passed to Redis; when full, publishing is refused.",
    )
    realtime_max_invalid_messages: int = Field(
        default=5,
        ge=1,
        description="Invalid messages in a row that close the connection with 1007.",
    )
    realtime_redis_prefix: str = Field(
        default="{{ cookiecutter.project_slug }}:realtime:",
        min_length=1,
        description="Prefix of the Redis pub/sub channels; separates services sharing a Redis.",
    )
    realtime_allow_anonymous: bool = Field(
        default=True,
        description=(
            "Let clients connect and publish without credentials when no `authenticate` "
            "function is given (see realtime/auth.py); production needs it set explicitly."
        ),
    )

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if "realtime_allow_anonymous" not in self.model_fields_set:
            problems.append(
                f"{variable('realtime_allow_anonymous')} is unset: anyone could connect and "
                "publish; set it to true to allow that on purpose, or pass an authenticate "
                "function to realtime_module and set it to false"
            )
        return problems
