"""The `/ws` protocol in-process: the app's lifespan runs, clients speak ASGI directly."""

from typing import Any

import pytest
from httpx import AsyncClient
from starlette.types import ASGIApp

from .asgi_websocket import ASGIWebSocket
from support.callers import SENDER


def message_of(event: dict[str, Any]) -> tuple[str, Any, Any]:
    assert event["type"] == "message"
    assert event["timestamp"].endswith("Z")
    return event["channel"], event["payload"], event["sender"]


async def test_publish_fans_out_to_every_subscriber_and_only_them(app: ASGIApp) -> None:
    async with (
        ASGIWebSocket(app) as alice,
        ASGIWebSocket(app) as bob,
        ASGIWebSocket(app) as carol,
        ASGIWebSocket(app) as elsewhere,
    ):
        for client in (alice, bob, carol):
            await client.subscribe("news")
        await elsewhere.subscribe("sports")
        payload = {"headline": "hello", "tags": ["a", 1, None, True, 2.5]}
        await alice.send_json({"type": "publish", "channel": "news", "payload": payload})
        for client in (alice, bob, carol):
            assert message_of(await client.receive_json()) == ("news", payload, SENDER)
        # Proves `elsewhere` got nothing from "news": its next frame is the later one.
        await bob.send_json({"type": "publish", "channel": "sports", "payload": 1})
        assert message_of(await elsewhere.receive_json()) == ("sports", 1, SENDER)


async def test_fan_out_shares_one_serialized_frame(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as one, ASGIWebSocket(app) as two:
        await one.subscribe("c")
        await two.subscribe("c")
        await one.send_json({"type": "publish", "channel": "c", "payload": "x"})
        await one.receive_json()
        await two.receive_json()
        assert one.sent[-1]["text"] is two.sent[-1]["text"]


async def test_unsubscribe_stops_delivery(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.subscribe("a")
        await client.subscribe("b")
        await client.send_json({"type": "unsubscribe", "channel": "a"})
        assert await client.receive_json() == {"type": "unsubscribed", "channel": "a"}
        await client.send_json({"type": "publish", "channel": "a", "payload": 1})
        await client.send_json({"type": "publish", "channel": "b", "payload": 2})
        assert message_of(await client.receive_json()) == ("b", 2, SENDER)


async def test_subscribing_twice_is_harmless(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.subscribe("a")
        await client.subscribe("a")
        await client.send_json({"type": "publish", "channel": "a", "payload": 1})
        await client.send_json({"type": "ping"})
        assert message_of(await client.receive_json()) == ("a", 1, SENDER)
        assert await client.receive_json() == {"type": "pong"}


async def test_channel_limit_is_an_error_event(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        for channel in ("a", "b", "c"):
            await client.subscribe(channel)
        await client.send_json({"type": "subscribe", "channel": "d"})
        error = await client.receive_json()
        assert (error["type"], error["code"]) == ("error", "channel_limit")
        await client.send_json({"type": "unsubscribe", "channel": "a"})
        await client.receive_json()
        await client.subscribe("d")


@pytest.mark.parametrize(
    ("frame", "code", "detail"),
    [
        ("{not json", "invalid_json", "The frame is not valid JSON."),
        ('{"type": "shout"}', "unknown_type", None),
        ("[1, 2]", "invalid_message", "message: Input should be an object"),
        ('{"channel": "a"}', "unknown_type", None),
        ('{"type": "subscribe", "channel": "no spaces"}', "invalid_message", "channel"),
        ('{"type": "publish", "channel": "a"}', "invalid_message", "payload"),
        ('{"type": "ping", "extra": 1}', "invalid_message", "extra"),
    ],
)
async def test_bad_messages_get_an_error_event_and_the_socket_stays(
    app: ASGIApp, frame: str, code: str, detail: str | None
) -> None:
    async with ASGIWebSocket(app) as client:
        await client.send_text(frame)
        error = await client.receive_json()
        assert (error["type"], error["code"]) == ("error", code)
        if detail is not None:
            assert error["detail"].startswith(detail)
        await client.send_json({"type": "ping"})
        assert await client.receive_json() == {"type": "pong"}


async def test_repeated_invalid_messages_close_with_1007_others_unaffected(
    app: ASGIApp,
) -> None:
    async with ASGIWebSocket(app) as abuser, ASGIWebSocket(app) as bystander:
        await bystander.subscribe("a")
        await abuser.send_text("nope")
        await abuser.send_json({"type": "ping"})  # a valid message resets the count
        await abuser.send_text("nope")
        await abuser.send_text("nope")
        await abuser.send_text("nope")
        kinds = [(await abuser.receive_json())["type"] for _ in range(4)]
        assert kinds == ["error", "pong", "error", "error"]
        closed = await abuser.closed()
        assert (closed.code, closed.reason) == (1007, "too many invalid messages")
        await bystander.send_json({"type": "publish", "channel": "a", "payload": 1})
        assert message_of(await bystander.receive_json()) == ("a", 1, SENDER)


async def test_binary_frame_closes_with_1003(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.send_bytes(b'{"type": "ping"}')
        closed = await client.closed()
        assert closed.code == 1003


async def test_oversize_frame_closes_with_1009(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        payload = "é" * 600  # 600 characters but 1200 bytes: the limit counts bytes
        await client.send_json({"type": "publish", "channel": "a", "payload": payload})
        closed = await client.closed()
        assert (closed.code, closed.reason) == (1009, "message over 1024 bytes")


async def test_publish_without_subscribers_is_fine(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.send_json({"type": "publish", "channel": "empty", "payload": None})
        await client.send_json({"type": "ping"})
        assert await client.receive_json() == {"type": "pong"}


async def test_client_disconnect_leaves_every_channel(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.subscribe("a")
        state = client.scope.get("state")
        assert state is not None
        hub = state["realtime"].hub
        assert hub.subscribers("a") == 1
    assert hub.subscribers("a") == 0
    assert not hub.attached


async def test_protocol_schema_covers_every_message(client: AsyncClient) -> None:
    response = await client.get("/ws/schema")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["client"]["discriminator"]["mapping"]) == {
        "subscribe",
        "unsubscribe",
        "publish",
        "ping",
    }
    assert set(schema["server"]["discriminator"]["mapping"]) == {
        "message",
        "subscribed",
        "unsubscribed",
        "error",
        "pong",
    }
