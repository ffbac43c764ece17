"""Retries: idempotent calls only, connection failures only, within their number and deadline."""

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from {{ cookiecutter.project_slug }}.http_client.client import create_client
from {{ cookiecutter.project_slug }}.http_client.retry import DeadlineExceededError, backoff
from {{ cookiecutter.project_slug }}.modules import Settings

from support.upstream import HOST, URL, Upstream, raising, status

CONNECTION_FAILURES = [
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,  # reset before the status line
    httpx.WriteError,
    httpx.RemoteProtocolError,  # closed without a response
]


@pytest.fixture
async def client(settings: Settings, upstream: Upstream) -> AsyncIterator[httpx.AsyncClient]:
    async with create_client(settings, upstream.transport) as client:
        yield client


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
@pytest.mark.parametrize("failure", CONNECTION_FAILURES)
async def test_an_idempotent_call_is_retried_after_a_connection_failure(
    client: httpx.AsyncClient,
    upstream: Upstream,
    method: str,
    failure: type[httpx.TransportError],
) -> None:
    upstream.answer = raising(failure, times=2)
    response = await client.request(method, f"{URL}/rates/EUR/USD")
    assert response.status_code == 200
    assert len(upstream.requests) == 3  # two failures, then the answer


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_call_that_is_not_idempotent_is_sent_once(
    client: httpx.AsyncClient, upstream: Upstream, method: str
) -> None:
    upstream.answer = raising(httpx.ConnectError, times=1)
    with pytest.raises(httpx.ConnectError):
        await client.request(method, f"{URL}/rates", json={"rate": 1})
    assert len(upstream.requests) == 1


async def test_a_streamed_body_is_sent_once(client: httpx.AsyncClient, upstream: Upstream) -> None:
    """Its chunks are gone once read: a retry could not send them again."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"{}"

    upstream.answer = raising(httpx.ConnectError, times=1)
    with pytest.raises(httpx.ConnectError):
        await client.put(f"{URL}/rates", content=chunks())
    assert len(upstream.requests) == 1


async def test_a_slow_answer_is_not_retried(client: httpx.AsyncClient, upstream: Upstream) -> None:
    """A read timeout: the upstream may be at work on the request."""
    upstream.answer = raising(httpx.ReadTimeout)
    with pytest.raises(httpx.ReadTimeout):
        await client.get(f"{URL}/rates/EUR/USD")
    assert len(upstream.requests) == 1


async def test_an_error_status_is_not_retried(
    client: httpx.AsyncClient, upstream: Upstream
) -> None:
    upstream.answer = status(503)
    response = await client.get(f"{URL}/rates/EUR/USD")
    assert response.status_code == 503
    assert len(upstream.requests) == 1


async def test_retries_stop_at_their_number(
    settings: Settings, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.answer = raising(httpx.ConnectError)
    caplog.set_level(logging.INFO, "{{ cookiecutter.project_slug }}.http_client")
    three = settings.model_copy(update={"http_client_retries": 3})
    async with create_client(three, upstream.transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{URL}/rates/EUR/USD")
    assert len(upstream.requests) == 4
    retries = [vars(r) for r in caplog.records if "retry" in vars(r)]
    assert [(r["retry"], r["upstream"]) for r in retries] == [(1, HOST), (2, HOST), (3, HOST)]


def test_backoff_doubles_up_to_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    assert [backoff(n, base=0.1, cap=0.5) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    monkeypatch.setattr(random, "uniform", lambda low, high: low)
    assert backoff(3, base=0.1, cap=0.5) == 0  # full jitter: anywhere from nothing


def test_backoff_is_spread_over_its_whole_range() -> None:
    waits = [backoff(3, base=0.1, cap=10.0) for _ in range(1000)]
    assert 0 <= min(waits) < 0.04
    assert 0.36 < max(waits) <= 0.4


async def test_retries_wait_their_backoff(
    settings: Settings, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    upstream.answer = raising(httpx.ConnectError, times=2)
    waiting = settings.model_copy(
        update={"http_client_backoff_base": 0.05, "http_client_backoff_cap": 0.08}
    )
    async with create_client(waiting, upstream.transport) as client:
        start = time.monotonic()
        assert (await client.get(f"{URL}/rates/EUR/USD")).status_code == 200
    assert time.monotonic() - start >= 0.05 + 0.08  # the second wait capped at 0.08


async def test_the_deadline_bounds_retries_and_their_waits(
    settings: Settings, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retry whose wait would end past the deadline is not tried: the last failure is raised."""
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    upstream.answer = raising(httpx.ConnectError)
    bounded = settings.model_copy(
        update={
            "http_client_retries": 10,
            "http_client_backoff_base": 0.05,
            "http_client_backoff_cap": 0.05,
            "http_client_deadline": 0.2,
        }
    )
    async with create_client(bounded, upstream.transport) as client:
        start = time.monotonic()
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{URL}/rates/EUR/USD")
    assert time.monotonic() - start < 0.2
    assert 2 <= len(upstream.requests) <= 4  # waits of 0.05 s within 0.2 s, not 11 attempts


async def test_the_deadline_cuts_an_attempt_short(settings: Settings, upstream: Upstream) -> None:
    async def silent(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("cut off before")

    upstream.answer = silent
    async with create_client(
        settings.model_copy(update={"http_client_deadline": 0.1}), upstream.transport
    ) as client:
        start = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            await client.get(f"{URL}/rates/EUR/USD")
    assert time.monotonic() - start < 1
    assert isinstance(caught.value, httpx.TimeoutException)  # what callers handle as a timeout
    assert len(upstream.requests) == 1


async def test_a_timeout_of_the_upstream_itself_is_not_taken_for_the_deadline(
    client: httpx.AsyncClient, upstream: Upstream
) -> None:
    async def times_out(request: httpx.Request) -> httpx.Response:
        raise TimeoutError

    upstream.answer = times_out
    with pytest.raises(TimeoutError):
        await client.get(f"{URL}/rates/EUR/USD")
