"""`/ws` (the channel protocol), HTTP publishing, and the protocol's JSON Schema."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, WebSocket, status
from pydantic import BaseModel, ConfigDict, JsonValue
from starlette.requests import HTTPConnection

from ..problems import PROBLEM_RESPONSE, problem
from .auth import BEARER, AuthenticationError, bearer_token
from .connections import Subscriber
from .handler import MessageHandler
from .protocol import CHANNEL_PATTERN, CLIENT_MESSAGE, SERVER_MESSAGE
from .runtime import Realtime

router = APIRouter(tags=["realtime"])


async def get_realtime(connection: HTTPConnection) -> Realtime:
    realtime: Realtime = connection.state.realtime
    return realtime


RealtimeDep = Annotated[Realtime, Depends(get_realtime)]


@router.websocket("/ws")
async def channels(websocket: WebSocket, realtime: RealtimeDep) -> None:
    """Subscribe, publish and receive; messages are described by `GET /ws/schema`."""
    try:
        client = await realtime.authenticate(websocket, bearer_token(websocket))
    except AuthenticationError as error:
        reason = _reason(str(error) or "not authenticated")
        await websocket.close(status.WS_1008_POLICY_VIOLATION, reason)
        return
    if realtime.hub.closing:
        await websocket.close(status.WS_1001_GOING_AWAY, "server shutting down")
        return
    await websocket.accept(BEARER if BEARER in websocket.scope["subprotocols"] else None)
    subscriber = Subscriber(websocket, realtime.limits)
    request_id = getattr(websocket.state, "request_id", None)  # with request ids on
    handler = MessageHandler(
        subscriber,
        realtime.hub,
        realtime.broadcast,
        client,
        realtime.authorize,
        websocket,
        request_id,
    )
    with realtime.hub.attach(subscriber):
        await subscriber.serve(handler.handle)


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: JsonValue


@router.post(
    "/channels/{channel}/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,  # no body
    summary="Publish to a channel",
    responses={
        202: {"description": "Queued for every current subscriber, on every process."},
        401: PROBLEM_RESPONSE | {"description": "No token when one is needed, or one refused."},
        403: PROBLEM_RESPONSE | {"description": "This token may not publish to this channel."},
        503: PROBLEM_RESPONSE
        | {"description": "Redis is too far behind; nobody got it. See `Retry-After`."},
    },
)
async def publish(
    channel: Annotated[str, Path(pattern=CHANNEL_PATTERN, examples=["jobs.42"])],
    body: PublishBody,
    request: Request,
    realtime: RealtimeDep,
) -> Response:
    """For other services and jobs: subscribers receive a `message` event with `payload`."""
    token = bearer_token(request)
    try:
        client = await realtime.authenticate(request, token)
    except AuthenticationError as error:
        return _unauthenticated(request, token, str(error) or None)
    if not await realtime.authorize(request, client, "publish", channel):
        if token is None:  # a token may be allowed what no token is
            return _unauthenticated(request, token, "A bearer token is required to publish there.")
        detail = "Not allowed to publish there."
        return problem(status.HTTP_403_FORBIDDEN, detail, instance=request.url.path)
    request_id = getattr(request.state, "request_id", None)  # with request ids on
    if not await realtime.broadcast.publish(channel, body.payload, client.name, request_id):
        return problem(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Not published: the service cannot reach its other processes now; retry shortly.",
            instance=request.url.path,
            headers={"Retry-After": str(realtime.retry_after)},
        )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("/ws/schema", summary="JSON Schema of the WebSocket protocol")
async def protocol_schema() -> dict[str, Any]:
    """OpenAPI cannot describe `/ws`: `client` is what it accepts, `server` what it sends."""
    return {"client": CLIENT_MESSAGE.json_schema(), "server": SERVER_MESSAGE.json_schema()}


def _unauthenticated(request: Request, token: str | None, detail: str | None) -> Response:
    """401 with the challenge of RFC 6750: no `error` when no token came at all."""
    challenge = "Bearer" if token is None else 'Bearer error="invalid_token"'
    headers = {"WWW-Authenticate": challenge}
    return problem(status.HTTP_401_UNAUTHORIZED, detail, instance=request.url.path, headers=headers)


def _reason(text: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    return text.encode()[:123].decode(errors="ignore")
