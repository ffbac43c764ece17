"""The JSON protocol spoken on `/ws`: what clients send and what the server sends back.

Every frame is one JSON object whose `type` selects its shape (a discriminated union),
so one parse both decodes and validates a client message.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

CHANNEL_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
"""Letters, digits and `_.:-`, at most 128: e.g. `chat`, `jobs.42`, `user:7`."""

Channel = Annotated[str, Field(pattern=CHANNEL_PATTERN, examples=["jobs.42"])]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Client -> server


class Subscribe(_Frame):
    """Receive every message published to `channel` from now on."""

    type: Literal["subscribe"]
    channel: Channel


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    channel: Channel


class Publish(_Frame):
    """Send `payload` to every subscriber of `channel`, on every process."""

    type: Literal["publish"]
    channel: Channel
    payload: JsonValue


class Ping(_Frame):
    """Keeps the connection from being closed as idle; answered with `pong`."""

    type: Literal["ping"]


ClientMessage = Annotated[Subscribe | Unsubscribe | Publish | Ping, Field(discriminator="type")]
CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


# Server -> client


class Message(_Frame):
    """A message published to a channel this connection subscribed to."""

    type: Literal["message"] = "message"
    channel: Channel
    payload: JsonValue
    sender: str | None = Field(description="Who published it, as authentication named them.")
    timestamp: datetime = Field(description="When the server accepted it (UTC).")
    request_id: str | None = Field(
        default=None,
        description=(
            "The id of the request (or WebSocket connection) that published it; for a job's "
            "notice, of the request that queued the job. Logs carry the same id."
        ),
    )
{% if cookiecutter.tracing %}
    trace_id: str | None = Field(
        default=None,
        description=(
            "The trace it was published in (32 hex digits), as trace backends and the logs "
            "show it: the publishing request's, or the trace of the request that queued the "
            "job; null when nothing is traced."
        ),
    )
{% endif %}


class Subscribed(_Frame):
    type: Literal["subscribed"] = "subscribed"
    channel: Channel


class Unsubscribed(_Frame):
    type: Literal["unsubscribed"] = "unsubscribed"
    channel: Channel


ErrorCode = Literal[
    "invalid_json", "unknown_type", "invalid_message", "channel_limit", "unavailable", "forbidden"
]


class Error(_Frame):
    """The previous client message was refused; the connection stays open.

    `unavailable`: a publish that reached nobody, because the service cannot pass messages
    between its processes right now; sending it again later may succeed.
    `forbidden`: this client may not subscribe or publish to that channel.
    """

    type: Literal["error"] = "error"
    code: ErrorCode
    detail: str


class Pong(_Frame):
    type: Literal["pong"] = "pong"


ServerMessage = Annotated[
    Message | Subscribed | Unsubscribed | Error | Pong, Field(discriminator="type")
]
SERVER_MESSAGE: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)

PONG = Pong().model_dump_json()
UNAVAILABLE = Error(
    code="unavailable",
    detail="Not published: the service cannot reach its other processes now; retry shortly.",
).model_dump_json()


def parse(text: str) -> ClientMessage | Error:
    """The client message in `text`, or the error event that explains why it is not one."""
    try:
        return CLIENT_MESSAGE.validate_json(text)
    except ValidationError as error:
        return _explain(error)


def _explain(error: ValidationError) -> Error:
    first = error.errors(include_url=False, include_input=False)[0]
    kind = first["type"]
    if kind == "json_invalid":
        return Error(code="invalid_json", detail="The frame is not valid JSON.")
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        expected = "subscribe, unsubscribe, publish, ping"
        return Error(code="unknown_type", detail=f"`type` must be one of: {expected}.")
    where = ".".join(str(part) for part in first["loc"][1:]) or "message"
    return Error(code="invalid_message", detail=f"{where}: {first['msg']}")
