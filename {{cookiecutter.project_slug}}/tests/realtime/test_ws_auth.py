"""The handshake hook: permissive by default; a real check refuses before accepting."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.realtime import AuthenticationError, realtime_module

from .asgi_websocket import ASGIWebSocket, ServerClosedError

ALICE = "alice-secret"


async def only_alice(connection: HTTPConnection, token: str | None) -> str | None:
    if token is None:
        raise AuthenticationError("a token is required")
    if token != ALICE:
        raise AuthenticationError
    return "alice"


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[ASGIApp]:
    app = create_app(settings, enabled=[realtime_module(settings, authenticate=only_alice)])
    async with LifespanManager(app) as manager:
        yield manager.app


async def test_default_lets_anyone_in_anonymously(app: ASGIApp) -> None:
    async with ASGIWebSocket(app, headers=[("authorization", "Bearer whatever")]) as client:
        await client.subscribe("a")
        await client.send_json({"type": "publish", "channel": "a", "payload": 1})
        assert (await client.receive_json())["sender"] is None


async def test_anonymous_access_turned_off_lets_no_one_in(settings: Settings) -> None:
    closed = settings.model_copy(update={"realtime_allow_anonymous": False})
    app = create_app(closed, enabled=[realtime_module(closed)])
    async with LifespanManager(app) as manager:
        with pytest.raises(ServerClosedError) as refused:
            async with ASGIWebSocket(manager.app, headers=[("authorization", "Bearer x")]):
                pass
        assert refused.value.code == 1008
        async with AsyncClient(
            transport=ASGITransport(manager.app), base_url="http://test"
        ) as client:
            response = await client.post("/channels/a/messages", json={"payload": 1})
        assert response.status_code in (401, 403)
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
        AsyncClient(transport=ASGITransport(guarded), base_url="http://test") as http,
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
        assert wrong.status_code == 403
        assert wrong.headers["content-type"] == "application/problem+json"
        right = await http.post(
            "/channels/a/messages", json=body, headers={"Authorization": "Bearer alice-secret"}
        )
        assert right.status_code == 202
        event = await client.receive_json()
        assert (event["payload"], event["sender"]) == ("hi", "alice")
