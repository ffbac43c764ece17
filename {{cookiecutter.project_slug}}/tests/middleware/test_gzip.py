"""GZip: large enough bodies only, never what is compressed already or an event stream."""

import gzip
from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from httpx import AsyncClient
from starlette.types import ASGIApp

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.module import Module
from {{ cookiecutter.project_slug }}.modules import Settings, modules

TEXT = "the same words again and again " * 40  # 1280 bytes, compresses well
router = APIRouter()


@router.get("/text/{size}")
async def text(size: int) -> Response:
    return Response(TEXT[:size], media_type="text/plain")


@router.get("/events")
async def events() -> StreamingResponse:
    async def stream() -> AsyncIterator[str]:
        for n in range(3):
            yield f"data: {n} {TEXT}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get("/archive")
async def archive() -> Response:
    return Response(gzip.compress(TEXT.encode()), media_type="application/gzip")


@router.get("/precompressed")
async def precompressed() -> Response:
    body = gzip.compress(TEXT.encode())
    return Response(body, media_type="text/plain", headers={"Content-Encoding": "gzip"})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"gzip_minimum_size": 1000})


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    enabled = [*modules(settings), Module(name="probe", routers=[router])]
    async with LifespanManager(create_app(settings, enabled=enabled)) as manager:
        yield manager.app


GZIP = {"Accept-Encoding": "gzip"}


async def test_compresses_bodies_from_the_minimum_size(client: AsyncClient) -> None:
    response = await client.get("/text/1000", headers=GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < 1000
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.text == TEXT[:1000]


async def test_leaves_smaller_bodies_alone(client: AsyncClient) -> None:
    response = await client.get("/text/999", headers=GZIP)
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == "999"


async def test_only_for_clients_that_accept_it(client: AsyncClient) -> None:
    response = await client.get("/text/1280", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.text == TEXT


async def test_never_compresses_event_streams(client: AsyncClient) -> None:
    async with client.stream("GET", "/events", headers=GZIP) as response:
        assert "content-encoding" not in response.headers
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    assert body.startswith(b"data: 0 the same words")
    assert body.count(b"data: ") == 3


async def test_never_compresses_compressed_media_types(client: AsyncClient) -> None:
    response = await client.get("/archive", headers=GZIP)
    assert "content-encoding" not in response.headers
    assert gzip.decompress(response.content) == TEXT.encode()


async def test_never_compresses_twice(client: AsyncClient) -> None:
    async with client.stream("GET", "/precompressed", headers=GZIP) as response:
        assert response.headers.get_list("content-encoding") == ["gzip"]
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert gzip.decompress(raw) == TEXT.encode()
