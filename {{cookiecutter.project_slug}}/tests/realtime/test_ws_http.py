"""Publishing over HTTP reaches WebSocket subscribers through the same broadcast."""

import pytest
from httpx import AsyncClient
from starlette.types import ASGIApp

from .asgi_websocket import ASGIWebSocket


async def test_http_publish_reaches_subscribers(app: ASGIApp, client: AsyncClient) -> None:
    async with ASGIWebSocket(app) as one, ASGIWebSocket(app) as two:
        await one.subscribe("orders.42")
        await two.subscribe("orders.42")
        response = await client.post(
            "/channels/orders.42/messages", json={"payload": {"status": "done"}}
        )
        assert response.status_code == 202
        assert response.content == b""
        for ws in (one, two):
            event = await ws.receive_json()
            assert (event["channel"], event["payload"]) == ("orders.42", {"status": "done"})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/channels/bad%20name/messages", {"payload": 1}),
        ("/channels/" + "x" * 129 + "/messages", {"payload": 1}),
        ("/channels/ok/messages", {}),
        ("/channels/ok/messages", {"payload": 1, "sender": "mallory"}),
    ],
)
async def test_http_publish_rejects_bad_input_with_422(
    client: AsyncClient, path: str, body: dict[str, object]
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_request_state_broadcast_is_the_public_interface(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as ws:
        await ws.subscribe("orders.7")
        state = ws.scope["state"]
        await state["broadcast"].publish("orders.7", [1, 2], sender="worker")
        event = await ws.receive_json()
        assert (event["payload"], event["sender"]) == ([1, 2], "worker")
        with pytest.raises(ValueError, match="Invalid channel name"):
            await state["broadcast"].publish("no spaces", 1)
