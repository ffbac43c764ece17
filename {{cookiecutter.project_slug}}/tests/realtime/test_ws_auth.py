"""The hooks: `authenticate` refuses a client before accepting it; `authorize` refuses one
message and keeps the connection."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.realtime import (
    Action,
    AuthenticationError,
    Client,
    realtime_module,
)

from .asgi_websocket import ASGIWebSocket, ServerClosedError

ALICE = "alice-secret"
URL = "http://test"
"""Its clients send no token unless a test gives one."""


async def only_alice(connection: HTTPConnection, token: str | None) -> Client:
    if token is None:
        raise AuthenticationError("a token is required")
    if token != ALICE:
        raise AuthenticationError
    return Client("alice")


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[ASGIApp]:
    app = create_app(settings, enabled=[realtime_module(settings, authenticate=only_alice)])
    async with LifespanManager(app) as manager:
        yield manager.app


async def news_only(
    connection: HTTPConnection, client: Client, action: Action, channel: str
) -> bool:
    """Anyone may read anything; only `news` takes publishes."""
    return action == "subscribe" or channel == "news"


@pytest.fixture
async def ruled(settings: Settings) -> AsyncIterator[ASGIApp]:
    app = create_app(settings, enabled=[realtime_module(settings, authorize=news_only)])
    async with LifespanManager(app) as manager:
        yield manager.app


{% if cookiecutter.auth == "none" %}
async def test_default_lets_anyone_in_anonymously(app: ASGIApp) -> None:
    async with ASGIWebSocket(app, headers=[("authorization", "Bearer whatever")]) as client:
        await client.subscribe("a")
        await client.send_json({"type": "publish", "channel": "a", "payload": 1})
        assert (await client.receive_json())["sender"] is None


{% endif %}
async def test_anonymous_access_turned_off_lets_no_one_in(settings: Settings) -> None:
    closed = settings.model_copy(update={"realtime_allow_anonymous": False})
    app = create_app(closed, enabled=[realtime_module(closed)])
    async with LifespanManager(app) as manager:
        with pytest.raises(ServerClosedError) as refused:
            async with ASGIWebSocket(manager.app, headers=[("authorization", "Bearer x")]):
                pass
        assert refused.value.code == 1008
        async with AsyncClient(transport=ASGITransport(manager.app), base_url=URL) as client:
            response = await client.post("/channels/a/messages", json={"payload": 1})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "headers", "subprotocols"),
    [
        ("/ws", [], []),
        ("/ws?token=wrong", [], []),
        ("/ws", [("authorization", "Bearer wrong")], []),
        ("/ws", [("authorization", "Basic YWxpY2U6eA==")], []),
        ("/ws", [], ["bearer"]),
    ],
)
async def test_refused_before_accept_with_1008(
    guarded: ASGIApp, path: str, headers: list[tuple[str, str]], subprotocols: list[str]
) -> None:
    with pytest.raises(ServerClosedError) as refused:
        async with ASGIWebSocket(guarded, path, headers=headers, subprotocols=subprotocols):
            pass
    assert refused.value.code == 1008


@pytest.mark.parametrize(
    ("path", "headers", "subprotocols", "accepted"),
    [
        ("/ws", [("authorization", "Bearer alice-secret")], [], None),
        ("/ws", [], ["bearer", "alice-secret"], "bearer"),
        ("/ws?token=alice-secret", [], [], None),
    ],
)
async def test_accepted_token_names_the_sender(
    guarded: ASGIApp,
    path: str,
    headers: list[tuple[str, str]],
    subprotocols: list[str],
    accepted: str | None,
) -> None:
    async with ASGIWebSocket(guarded, path, headers=headers, subprotocols=subprotocols) as client:
        assert client.subprotocol == accepted
        await client.subscribe("a")
        await client.send_json({"type": "publish", "channel": "a", "payload": 1})
        assert (await client.receive_json())["sender"] == "alice"


async def test_http_publish_is_guarded_too(guarded: ASGIApp) -> None:
    async with (
        AsyncClient(transport=ASGITransport(guarded), base_url=URL) as http,
        ASGIWebSocket(guarded, headers=[("authorization", "Bearer alice-secret")]) as client,
    ):
        await client.subscribe("a")
        body = {"payload": "hi"}
        missing = await http.post("/channels/a/messages", json=body)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert missing.json()["detail"] == "a token is required"
        wrong = await http.post(
            "/channels/a/messages", json=body, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert wrong.headers["content-type"] == "application/problem+json"
        right = await http.post(
            "/channels/a/messages", json=body, headers={"Authorization": "Bearer alice-secret"}
        )
        assert right.status_code == 202
        event = await client.receive_json()
        assert (event["payload"], event["sender"]) == ("hi", "alice")


async def test_a_refused_message_gets_an_error_and_the_connection_stays(ruled: ASGIApp) -> None:
    async with ASGIWebSocket(ruled) as client:
        await client.subscribe("news")
        await client.send_json({"type": "publish", "channel": "sports", "payload": 1})
        assert await client.receive_json() == {
            "type": "error",
            "code": "forbidden",
            "detail": "Not allowed to publish there.",
        }
        await client.send_json({"type": "publish", "channel": "news", "payload": 2})
        assert (await client.receive_json())["payload"] == 2


async def test_a_refused_http_publish_asks_for_a_token(ruled: ASGIApp) -> None:
    async with AsyncClient(transport=ASGITransport(ruled), base_url=URL) as http:
        refused = await http.post("/channels/sports/messages", json={"payload": 1})
        allowed = await http.post("/channels/news/messages", json={"payload": 1})
    assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
    assert refused.json()["detail"] == "A bearer token is required to publish there."
    assert allowed.status_code == 202
