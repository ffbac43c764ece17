"""A WebSocket client of a service process: `websockets`, the library most clients use."""

from websockets.asyncio.client import connect

from support.callers import HEADERS
from support.service import Service

WAIT = 20.0
"""Seconds to open a connection: generous, for a busy CI machine."""


def websocket(service: Service) -> connect:
    """A client that reads everything the service sends, whenever the test looks."""
    url = f"ws://127.0.0.1:{service.port}/ws"
    return connect(
        url,
        additional_headers=HEADERS,
        proxy=None,
        open_timeout=WAIT,
        max_queue=None,
        ping_interval=None,
    )
