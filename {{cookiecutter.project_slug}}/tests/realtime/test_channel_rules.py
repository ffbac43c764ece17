"""Channels behind tokens: a valid token or none to connect, `channels:publish` to publish,
{% if cookiecutter.background_worker %}
and `jobs.<id>` for the job's submitter alone.
{% else %}
checked on every message.
{% endif %}"""

{% if cookiecutter.background_worker %}
import asyncio
{% endif %}
from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings

{% if cookiecutter.background_worker %}
from .asgi_websocket import WAIT, ASGIWebSocket, ServerClosedError
{% else %}
from .asgi_websocket import ASGIWebSocket, ServerClosedError
{% endif %}
from support.identity import SESSION_SUBJECT, caller

FORBIDDEN_PUBLISH = {
    "type": "error",
    "code": "forbidden",
    "detail": "Not allowed to publish there.",
}


def header_list(headers: dict[str, str]) -> list[tuple[str, str]]:
    return list(headers.items())


@pytest.fixture
async def closed(settings: Settings) -> AsyncIterator[ASGIApp]:
    """The app with anonymous clients refused."""
    closed = settings.model_copy(update={"realtime_allow_anonymous": False})
    async with LifespanManager(create_app(closed)) as manager:
        yield manager.app


async def test_an_anonymous_client_may_subscribe_but_not_publish(app: ASGIApp) -> None:
    async with ASGIWebSocket(app, headers=[]) as anonymous, ASGIWebSocket(app) as member:
        await anonymous.subscribe("news")
        await anonymous.send_json({"type": "publish", "channel": "news", "payload": 1})
        assert await anonymous.receive_json() == FORBIDDEN_PUBLISH
        await member.send_json({"type": "publish", "channel": "news", "payload": 2})
        event = await anonymous.receive_json()
        assert (event["payload"], event["sender"]) == (2, SESSION_SUBJECT)


async def test_publishing_takes_the_scope(app: ASGIApp) -> None:
    reader = header_list(caller(sub="reader", scope="profile"))
    async with ASGIWebSocket(app, headers=reader) as client:
        await client.subscribe("news")
        await client.send_json({"type": "publish", "channel": "news", "payload": 1})
        assert await client.receive_json() == FORBIDDEN_PUBLISH


@pytest.mark.parametrize(
    "headers",
    [
        [("authorization", "Bearer not-a-token")],
        header_list(caller(aud="api://someone-else")),
        header_list(caller(exp=1)),
    ],
    ids=["malformed", "other audience", "expired"],
)
async def test_a_token_that_is_not_accepted_is_refused_before_accept(
    app: ASGIApp, headers: list[tuple[str, str]]
) -> None:
    with pytest.raises(ServerClosedError) as refused:
        async with ASGIWebSocket(app, headers=headers):
            pass
    assert refused.value.code == 1008
    assert refused.value.reason.startswith("The token is not accepted")


async def test_without_anonymous_access_a_token_is_required(closed: ASGIApp) -> None:
    with pytest.raises(ServerClosedError) as refused:
        async with ASGIWebSocket(closed, headers=[]):
            pass
    assert (refused.value.code, refused.value.reason) == (1008, "A bearer token is required.")
    async with ASGIWebSocket(closed) as member:
        await member.subscribe("news")


async def test_http_publish_answers_as_the_routes_do(app: ASGIApp) -> None:
    body = {"payload": 1}
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as http:
        missing = await http.post("/channels/news/messages", json=body)
        malformed = await http.post(
            "/channels/news/messages", json=body, headers={"Authorization": "Bearer x"}
        )
        unscoped = await http.post(
            "/channels/news/messages", json=body, headers=caller(scope="profile")
        )
        allowed = await http.post("/channels/news/messages", json=body, headers=caller())
    assert (missing.status_code, missing.headers["www-authenticate"]) == (401, "Bearer")
    assert malformed.status_code == 401
    assert malformed.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert unscoped.status_code == 403
    assert unscoped.headers["content-type"] == "application/problem+json"
    assert allowed.status_code == 202
{% if cookiecutter.background_worker %}


async def test_a_jobs_channel_is_its_submitters_alone(app: ASGIApp) -> None:
    alice, bob = caller(sub="alice"), caller(sub="bob")
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as http:
        posted = await http.post("/jobs", json={"numbers": [1]}, headers=alice)
        job = f"/jobs/{posted.json()['id']}"
        async with asyncio.timeout(WAIT):  # ended: no notice comes between the frames below
            while True:
                if (await http.get(job, headers=alice)).json()["status"] == "succeeded":
                    break
                await asyncio.sleep(0.01)
    channel = f"jobs.{posted.json()['id']}"
    async with (
        ASGIWebSocket(app, headers=header_list(alice)) as submitter,
        ASGIWebSocket(app, headers=header_list(bob)) as other,
        ASGIWebSocket(app, headers=[]) as anonymous,
    ):
        await submitter.subscribe(channel)
        for client in (other, anonymous):
            await client.send_json({"type": "subscribe", "channel": channel})
            refusal = await client.receive_json()
            assert refusal["detail"] == "Not allowed to subscribe there."
        await submitter.send_json({"type": "publish", "channel": channel, "payload": "fake"})
        assert await submitter.receive_json() == FORBIDDEN_PUBLISH  # only the service publishes


async def test_an_unknown_jobs_channel_is_refused(app: ASGIApp) -> None:
    async with ASGIWebSocket(app) as client:
        await client.send_json({"type": "subscribe", "channel": "jobs.0123456789abcdef"})
        assert (await client.receive_json())["code"] == "forbidden"
{% endif %}
