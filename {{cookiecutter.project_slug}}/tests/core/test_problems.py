"""Every error is RFC 9457 problem+json, never an HTML page or a bare 500."""

import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings

from support.callers import asgi_client

PROBLEM = "application/problem+json"


async def test_unknown_route_is_404_problem(client: AsyncClient) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "instance": "/nowhere",
    }


async def test_wrong_method_is_405_problem_with_allow(client: AsyncClient) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["allow"] == "GET"


async def test_405_allows_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.put("/items/1", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"


def test_openapi_documents_every_error_as_a_problem(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    errors = [
        (path, method, status, response)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status >= "400"
    ]
    assert {status for _, _, status, _ in errors} >= {"404", "409", "413", "422"}
    for path, method, status, response in errors:
        assert response["content"] == {PROBLEM: problem}, (path, method, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    create = schema["paths"]["/items"]["post"]["responses"]
    assert {"400", "413", "422"} <= set(create)


async def test_body_that_is_not_utf8_is_400_problem(client: AsyncClient) -> None:
    response = await client.post(
        "/items", content=b'{"name": "\xff"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


async def test_malformed_json_is_422_problem_not_500(client: AsyncClient) -> None:
    response = await client.post(
        "/items", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["type"] == "json_invalid"


async def test_body_over_the_limit_is_413_problem(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_body_size": 64}))
    transport = ASGITransport(app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/items", json={"name": "x" * 100})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_unhandled_error_is_500_problem_without_internals(
    settings: Settings, crashing: Module, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, enabled=[crashing])
    # The transport re-raises what reaches the server: the error stops at the 500 problem.
    async with asgi_client(app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret" not in response.text
    assert response.json()["detail"] == "The server failed to handle this request."
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged.exc_info is not None
    assert str(logged.exc_info[1]) == "secret internal state"


async def test_error_after_the_response_started_reaches_the_server(settings: Settings) -> None:
    router = APIRouter()

    async def half_a_body() -> AsyncIterator[bytes]:
        yield b"partial"
        raise RuntimeError("mid-stream")

    @router.get("/half")
    async def half() -> StreamingResponse:
        return StreamingResponse(half_a_body())

    app = create_app(settings, enabled=[Module(name="half", routers=[router])])
    async with asgi_client(app) as client:
        # Too late for a 500: the server gets the error and drops the connection.
        with pytest.raises(RuntimeError, match="mid-stream"):
            await client.get("/half")


async def test_streamed_body_over_the_limit_is_413_problem(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_body_size": 64}))

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b'{"name": "' + b"x" * 20

    transport = ASGITransport(app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/items", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "The request body is larger than 64 bytes."
