"""Baseline 1: a raw ASGI app sending the same bytes on the same routes (the server's ceiling).

GET routes answer with the bodies in the JSON file named by `BENCH_RAW_ROUTES`
(`{"GET /path": "body"}`); `POST /items` parses the body and echoes a created item.
"""

import json
import os
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

ROUTES: dict[str, bytes] = {
    key: body.encode()
    for key, body in json.loads(Path(os.environ["BENCH_RAW_ROUTES"]).read_text()).items()
}
JSON = [(b"content-type", b"application/json")]
_ids = count(1_000_000)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    key = f"{scope['method']} {scope['path']}"
    if key == "POST /items":
        status, body = 201, await _create(receive)
    elif key in ROUTES:
        status, body = 200, ROUTES[key]
    else:
        status, body = 404, b'{"detail":"Not Found"}'
    headers = [*JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _create(receive: Any) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    data = json.loads(b"".join(chunks))
    now = datetime.now(UTC).isoformat()
    item = {
        "id": next(_ids),
        "name": data["name"],
        "description": data.get("description"),
        "quantity": data.get("quantity", 0),
        "created_at": now,
        "updated_at": now,
    }
    return json.dumps(item, separators=(",", ":")).encode()
