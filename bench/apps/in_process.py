"""What the generated app costs per request in its own process: no server, no sockets.

Run with the project's interpreter: `python in_process.py REQUESTS [MODULE ...]` builds the
app from the project's registry without the named modules, runs its lifespan, adds 20
items, and calls the app directly with the requests a client would send. It prints, as
JSON, the CPU microseconds per request for each load (the best of three passes) and the
modules that bring middleware. CPU time, not wall time: another process on the machine
slows a pass less than it slows a clock.

Access lines go wherever the service writes them (stderr): the case sends that to a file.
"""

import asyncio
import importlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

LOADS = ("GET /health/live", "GET /items", "GET /items/7", "POST /items")
"""POST last: it adds items, which the GETs would otherwise see."""
SEED = 20
PASSES = 3

package = os.environ["BENCH_PACKAGE"]
create_app = importlib.import_module(f"{package}.app").create_app
registry = importlib.import_module(f"{package}.modules")
load_settings = importlib.import_module(f"{package}.startup").load_settings

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope(method: str, path: str, state: dict[str, Any], body: bytes = b"") -> dict[str, Any]:
    """What uvicorn hands the app for a request like those of the HTTP cases."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": state.copy(),  # as uvicorn does: a shallow copy of the lifespan's state
    }


async def call(app: App, state: dict[str, Any], method: str, path: str, body: bytes = b"") -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope(method, path, state, body), receive, send)
    return status


async def per_request(app: App, state: dict[str, Any], load: str, requests: int) -> float:
    """CPU microseconds per request of `load` ("GET /path" or "POST /items"), the best of a
    few passes; each POST creates an item of its own, as the HTTP cases' POSTs do."""
    method, path = load.split()
    created = iter(range(1_000_000))

    def body() -> bytes:
        if method == "GET":
            return b""
        item = {"name": f"bench {next(created)}", "description": "A thing.", "quantity": 3}
        return json.dumps(item).encode()

    for _ in range(min(requests, 200)):  # warm-up
        await call(app, state, method, path, body())
    best = float("inf")
    for _ in range(PASSES):
        bodies = [body() for _ in range(requests)]
        start = time.process_time()
        for content in bodies:
            await call(app, state, method, path, content)
        best = min(best, (time.process_time() - start) / requests * 1e6)
    status = await call(app, state, method, path, body())
    if status not in (200, 201):
        raise RuntimeError(f"{load} -> {status}")
    return best


async def measure(requests: int, without: set[str]) -> dict[str, Any]:
    settings = load_settings()
    every = registry.modules(settings)
    app = create_app(settings, enabled=[m for m in every if m.name not in without])
    state: dict[str, Any] = {}
    startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    running = asyncio.create_task(app(lifespan, startup.get, replies.put))
    await startup.put({"type": "lifespan.startup"})
    started = await replies.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started}")
    try:
        for n in range(1, SEED + 1):
            item = {"name": f"seed {n}", "description": f"Seeded item {n}.", "quantity": n}
            await call(app, state, "POST", "/items", json.dumps(item).encode())
        costs = {load: await per_request(app, state, load, requests) for load in LOADS}
    finally:
        await startup.put({"type": "lifespan.shutdown"})
        await running
    return {"us": costs, "middleware": [m.name for m in every if m.middleware]}


if __name__ == "__main__":
    try:  # the event loop uvicorn picks when it can
        from uvloop import run
    except ImportError:
        from asyncio import run
    result = run(measure(int(sys.argv[1]), set(sys.argv[2:])))
    print(json.dumps(result))
