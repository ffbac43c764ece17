"""The service as a real process facing WebSocket clients that misbehave.

Clients that stop reading, and frames too big to accept: what uvicorn and the kernel do
with them is what these tests check, so they cannot run in-process.
"""

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .raw_websocket import RawWebSocket
from .served_websocket import WAIT, websocket
from support.service import Service

pytestmark = pytest.mark.process

MARGIN = 5.0
"""Seconds on top of a timeout the service is given: a busy CI machine is slow."""


def send_buffer_limit() -> int:
    """The most the kernel buffers for one socket it sends on (Linux; else a usual value)."""
    limits = Path("/proc/sys/net/ipv4/tcp_wmem")
    return int(limits.read_text().split()[2]) if limits.exists() else 4 << 20


PAYLOAD = 16_384
FLOOD = 2 * send_buffer_limit() // PAYLOAD
"""Messages that a client which stopped reading cannot all have taken into kernel buffers."""

linux = pytest.mark.skipif(sys.platform != "linux", reason="TCP_USER_TIMEOUT and /proc: Linux")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One process for the tests that leave it serving: small queues, a 1 s close timeout."""
    log = tmp_path_factory.mktemp("service") / "service.log"
    service = Service(log, REALTIME_SEND_QUEUE_SIZE="4", REALTIME_CLOSE_TIMEOUT="1")
    yield service
    service.stop()


async def stalled_subscriber(service: Service, channel: str) -> RawWebSocket:
    """A client subscribed to `channel` that never reads again."""
    client = await RawWebSocket.connect(service.port)
    await client.send_json({"type": "subscribe", "channel": channel})
    assert await client.receive_json() == {"type": "subscribed", "channel": channel}
    return client


async def flood(publisher: ClientConnection, channel: str) -> None:
    """Publish `FLOOD` messages; returns once the service has handled them all."""
    for number in range(FLOOD):
        message = {"type": "publish", "channel": channel, "payload": [number, "x" * PAYLOAD]}
        await publisher.send(json.dumps(message))
    await publisher.send(json.dumps({"type": "ping"}))
    async with asyncio.timeout(WAIT):
        assert json.loads(await publisher.recv()) == {"type": "pong"}


async def test_sigterm_ends_in_bounded_time_while_a_client_stopped_reading(
    services: Callable[..., Service],
) -> None:
    # The kernel and the send queue stay out of it: the shutdown timeout ends the wait.
    service = services(
        SHUTDOWN_TIMEOUT="1", REALTIME_CLOSE_TIMEOUT="600", REALTIME_SEND_QUEUE_SIZE=str(FLOOD)
    )
    await service.started()
    with await stalled_subscriber(service, "feed"):
        async with websocket(service) as reader:
            await flood(reader, "feed")
            elapsed = await service.terminate(wait=1 + MARGIN)
            with pytest.raises(ConnectionClosed) as closed:
                await reader.recv()
    log = service.output()
    assert elapsed < 1 + MARGIN, log
    assert closed.value.rcvd is not None  # the reading client got its close frame
    assert closed.value.rcvd.code in {1001, 1012}
    assert "timeout graceful shutdown exceeded" in log  # the stalled client held it up
    assert "Application shutdown complete" in log


@linux
async def test_a_client_that_stopped_reading_is_dropped_after_the_close_timeout(
    service: Service,
) -> None:
    await service.started()
    with await stalled_subscriber(service, "feed") as stalled:
        async with websocket(service) as publisher:
            await flood(publisher, "feed")
            start = time.monotonic()
            await stalled.gone(within=1 + MARGIN)
            dropped_after = time.monotonic() - start
            await publisher.send(json.dumps({"type": "ping"}))  # the others are served
            assert json.loads(await publisher.recv()) == {"type": "pong"}
        with pytest.raises(ConnectionResetError):  # what it had buffered, then no close frame
            await stalled.drain()
    assert dropped_after < 1 + MARGIN


@linux
async def test_oversized_frames_are_refused_before_they_are_buffered(service: Service) -> None:
    await service.started()  # REALTIME_MAX_MESSAGE_SIZE: 64 KiB
    frame = "x" * (8 << 20)

    async def send_oversized() -> int | None:
        async with websocket(service) as client:
            with contextlib.suppress(ConnectionClosed):
                await client.send(frame)
            with pytest.raises(ConnectionClosed) as closed:
                await client.recv()
        return closed.value.rcvd.code if closed.value.rcvd else None

    before = service.memory(peak=True)
    codes = await asyncio.gather(*(send_oversized() for _ in range(8)))
    grown = service.memory(peak=True) - before
    assert grown < 8 << 20, f"the peak grew {grown} bytes for 8 frames of 8 MiB refused"
    assert codes == [1009] * 8
    async with websocket(service) as client:  # the service goes on
        await client.send(json.dumps({"type": "ping"}))
        assert json.loads(await client.recv()) == {"type": "pong"}
