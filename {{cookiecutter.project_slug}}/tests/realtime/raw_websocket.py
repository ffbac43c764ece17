"""A WebSocket client on a bare socket, for tests that need a client to misbehave.

It can stop reading while the server goes on sending, which library clients never do:
the server then sees what a stalled peer shows it, a TCP receive window that stays shut.
"""

import asyncio
import base64
import json
import os
import select
import socket
import struct
from typing import Any, Self

from support.callers import HEADERS

TEXT = 0x1
CLOSE = 0x8


class RawWebSocket:
    def __init__(self, sock: socket.socket, received: bytes) -> None:
        self.sock = sock
        self._buffer = received

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()

    @classmethod
    async def connect(cls, port: int, path: str = "/ws", *, receive_buffer: int = 4096) -> Self:
        """Open `ws://127.0.0.1:<port><path>` with a small receive buffer, which a client
        that stops reading fills at once."""
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, ("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        headers = "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"{headers}\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = await loop.sock_recv(sock, 4096)
            assert chunk, f"connection closed during the handshake: {response!r}"
            response += chunk
        head, _, rest = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101 "), head
        return cls(sock, rest)

    async def send_text(self, text: str) -> None:
        """One masked text frame, as clients must send them."""
        payload = text.encode()
        if len(payload) < 126:
            header = struct.pack("!BB", 0x80 | TEXT, 0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header = struct.pack("!BBH", 0x80 | TEXT, 0x80 | 126, len(payload))
        else:
            header = struct.pack("!BBQ", 0x80 | TEXT, 0x80 | 127, len(payload))
        key = os.urandom(4)
        await asyncio.get_running_loop().sock_sendall(self.sock, header + key + _mask(payload, key))

    async def send_json(self, data: Any) -> None:
        await self.send_text(json.dumps(data))

    async def receive(self) -> tuple[int, bytes]:
        """The next frame from the server: its opcode and payload."""
        first, second = await self._read(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self._read(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self._read(8))
        return first & 0x0F, await self._read(length)

    async def receive_json(self) -> Any:
        opcode, payload = await self.receive()
        assert opcode == TEXT, (opcode, payload)
        return json.loads(payload)

    async def gone(self, within: float) -> None:
        """Wait, without reading, until the server has ended the connection (a reset, or
        the end of its stream); TimeoutError if it has not `within` seconds.

        A server whose kernel gave up on the connection sends nothing: TCP keepalive probes,
        sent after a second without a segment from the server, make it answer with a reset.
        """
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        poller = select.poll()
        poller.register(self.sock, select.POLLRDHUP)  # POLLHUP and POLLERR always count
        if not await asyncio.to_thread(poller.poll, within * 1000):
            raise TimeoutError(f"the server kept the connection open for {within} s")

    async def drain(self) -> None:
        """Read frames until the connection ends; raises what ended it: `EOFError` for the
        end of the stream, `ConnectionResetError` for a reset."""
        while True:
            await self.receive()

    async def _read(self, size: int) -> bytes:
        loop = asyncio.get_running_loop()
        while len(self._buffer) < size:
            chunk = await loop.sock_recv(self.sock, 65_536)
            if not chunk:
                raise EOFError("the server ended the stream")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _mask(data: bytes, key: bytes) -> bytes:
    stream = (key * (len(data) // 4 + 1))[: len(data)]
    masked = int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")
    return masked.to_bytes(len(data), "big")
