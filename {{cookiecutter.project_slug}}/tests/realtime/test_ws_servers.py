"""Real uvicorn processes sharing a Redis: what one publishes, the other's clients get."""

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

from .tcp_proxy import TCPProxy, free_port

WAIT = 20.0
START = 90.0
"""Generous: starting Python, importing the app and connecting can be slow on a busy CI box."""


class Server:
    """One uvicorn process serving the app on a free port."""

    def __init__(self, redis_url: str, prefix: str, log: Path) -> None:
        self.port = free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}/ws"
        self.log = log
        env = os.environ | {
            ENV_PREFIX + "REDIS_URL": redis_url,
            ENV_PREFIX + "REALTIME_REDIS_PREFIX": prefix,
            ENV_PREFIX + "ENVIRONMENT": "test",
        }
        command = [sys.executable, "-m", "uvicorn", "{{ cookiecutter.project_slug }}.main:app"]
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
                [*command, "--port", str(self.port)],
                env=env,
                cwd=log.parent,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    async def subscribed(self, want: bool = True) -> None:
        """Wait until this server's Redis subscription is up (or down, when `want` is False)."""
        async with asyncio.timeout(START), self.client() as client:
            while True:
                try:
                    response = await client.get("/health/ready")
                except httpx.TransportError:
                    pass  # still starting
                else:
                    failing = response.json().get("checks", {})
                    if ("realtime.redis" not in failing) == want:
                        return
                await asyncio.sleep(0.1)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.http, timeout=WAIT, trust_env=False)

    def connect(self) -> connect:
        return connect(self.ws, proxy=None, open_timeout=WAIT)

    async def publish(self, channel: str, payload: Any) -> None:
        async with self.client() as client:
            response = await client.post(f"/channels/{channel}/messages", json={"payload": payload})
        assert response.status_code == 202, response.text

    def stop(self) -> str:
        """SIGTERM, as orchestrators stop a container; returns the server's log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[[str, str], Server]]:
    started: list[Server] = []

    def start(redis_url: str, prefix: str) -> Server:
        server = Server(redis_url, prefix, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def subscribe(ws: ClientConnection, channel: str) -> None:
    await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    assert json.loads(await ws.recv()) == {"type": "subscribed", "channel": channel}


async def next_payload(ws: ClientConnection) -> Any:
    async with asyncio.timeout(WAIT):
        event = json.loads(await ws.recv())
    assert event["type"] == "message", event
    return event["payload"]


async def test_client_on_a_receives_what_b_published(
    redis_url: str, servers: Callable[[str, str], Server]
) -> None:
    prefix = f"test-{uuid4().hex}:"
    a, b = servers(redis_url, prefix), servers(redis_url, prefix)
    await a.subscribed()
    await b.subscribed()
    async with a.connect() as on_a, b.connect() as on_b:
        await subscribe(on_a, "room")
        await subscribe(on_b, "room")
        await on_b.send(json.dumps({"type": "publish", "channel": "room", "payload": "from b"}))
        assert await next_payload(on_a) == "from b"
        assert await next_payload(on_b) == "from b"
        await a.publish("room", "from a over http")
        assert await next_payload(on_b) == "from a over http"
        assert await next_payload(on_a) == "from a over http"

        # SIGTERM: the server closes the socket itself and exits cleanly.
        log = await asyncio.to_thread(a.stop)
        with pytest.raises(ConnectionClosed) as closed:
            await on_a.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code in {1001, 1012}
    assert a.process.returncode in {0, -signal.SIGTERM}  # uvicorn re-raises the signal
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
    assert "Task was destroyed" not in log


async def test_redis_outage_keeps_local_delivery_and_recovers(
    redis_url: str, servers: Callable[[str, str], Server]
) -> None:
    target = urlsplit(redis_url)
    prefix = f"test-{uuid4().hex}:"
    async with TCPProxy(target.hostname or "127.0.0.1", target.port or 6379) as redis:
        proxied = redis.url(target.path.lstrip("/") or "0")
        a, b = servers(proxied, prefix), servers(proxied, prefix)
        await a.subscribed()
        await b.subscribed()
        async with a.connect() as on_a, a.connect() as also_on_a, b.connect() as on_b:
            for ws in (on_a, also_on_a, on_b):
                await subscribe(ws, "room")

            await redis.cut()
            await a.subscribed(want=False)
            await also_on_a.send(
                json.dumps({"type": "publish", "channel": "room", "payload": "local"})
            )
            assert await next_payload(on_a) == "local"
            assert await next_payload(also_on_a) == "local"

            await redis.restore()
            await a.subscribed()
            await b.subscribed()
            await b.publish("room", "across again")
            assert await next_payload(on_a) == "across again"
            # b missed "local" (pub/sub keeps nothing): its next message is the new one.
            assert await next_payload(on_b) == "across again"
