"""WebSocket fan-out: subscribers in their own processes, one publisher; prints one JSON line.

Runs in a generated project's virtualenv (uvicorn[standard] brings `websockets` and uvloop).
Subscribers connect round-robin to the `--subscribe-url`s and subscribe to one channel; the
publisher sends `publish` frames on `--publish-url`, in two phases on the same sockets:

- saturation: as fast as the slowest subscriber keeps up (at most `--window` messages
  ahead of it, so no server queue overflows), for `--saturation-seconds`;
- latency: `--rate` messages per second for `--latency-seconds`; every subscriber records
  receive time minus send time (one monotonic clock, the machine's).

Clients offer no permessage-deflate. Bounded: every wait has a timeout.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import time
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path
from typing import Any

import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CONNECT_CONCURRENCY = 50
DRAIN_TIMEOUT = 30.0


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--publish-url", required=True)
    parser.add_argument("--subscribe-url", action="append", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--channel", required=True)
    parser.add_argument("--saturation-seconds", type=float, default=4.0)
    parser.add_argument("--latency-seconds", type=float, default=6.0)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--server-pid", type=int, action="append", default=[])
    return parser.parse_args()


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Subscriber processes

PHASES = ("saturation", "latency")
LATENCY_MARK = '"p":"l"'
"""In the payload of latency-phase messages; a substring test keeps saturation cheap."""


class Phase:
    """What one subscriber process saw of one phase."""

    def __init__(self) -> None:
        self.received = 0
        self.first = self.last = 0.0
        self.cpu_first = self.cpu_last = 0.0
        self.latencies_ms: list[float] = []

    def seen(self, now: float) -> None:
        if not self.first:
            self.first, self.cpu_first = now, time.process_time()
        self.received += 1
        self.last, self.cpu_last = now, time.process_time()

    def report(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "first": self.first,
            "last": self.last,
            "cpu_seconds": self.cpu_last - self.cpu_first,
            "latencies_ms": self.latencies_ms,
        }


async def _subscribe(url: str, channel: str) -> ClientConnection:
    websocket = await connect(
        url, compression=None, ping_interval=None, open_timeout=30, max_queue=None
    )
    await websocket.send(json.dumps({"type": "subscribe", "channel": channel}))
    reply = json.loads(await asyncio.wait_for(websocket.recv(), 30))
    if reply.get("type") != "subscribed":
        raise RuntimeError(f"subscribe refused: {reply}")
    return websocket


async def _subscriber_main(
    index: int,
    urls: list[str],
    count: int,
    channel: str,
    progress: SynchronizedArray,  # type: ignore[type-arg]
    ready: Any,
    stop: Any,
    results: Any,
) -> None:
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(n: int) -> ClientConnection:
        async with limit:
            return await _subscribe(urls[n % len(urls)], channel)

    sockets = await asyncio.gather(*(open_one(n) for n in range(count)))
    received = [0] * count
    saturation, latency = Phase(), Phase()
    closed = 0

    async def read(n: int, websocket: ClientConnection) -> None:
        nonlocal closed
        try:
            async for frame in websocket:
                now = time.monotonic()
                if LATENCY_MARK in frame:
                    message = json.loads(frame)
                    latency.latencies_ms.append((now - message["payload"]["t"]) * 1000)
                    latency.seen(now)
                else:
                    saturation.seen(now)
                received[n] += 1
        except ConnectionClosed:
            closed += 1

    async def report_progress() -> None:
        while True:
            progress[index] = min(received)
            await asyncio.sleep(0.005)

    readers = [asyncio.create_task(read(n, ws)) for n, ws in enumerate(sockets)]
    reporter = asyncio.create_task(report_progress())
    ready.release()
    await asyncio.get_running_loop().run_in_executor(None, stop.wait, 600)
    reporter.cancel()
    for websocket in sockets:
        await websocket.close()
    await asyncio.gather(*readers, return_exceptions=True)
    results.put(
        {
            "closed_by_server": closed,
            "saturation": saturation.report(),
            "latency": latency.report(),
        }
    )


def _subscriber(*args: Any) -> None:
    uvloop.run(_subscriber_main(*args))


# Publisher (this process)


async def _publish(options: argparse.Namespace, progress: SynchronizedArray) -> dict[str, Any]:  # type: ignore[type-arg]
    websocket = await connect(
        options.publish_url, compression=None, ping_interval=None, open_timeout=30
    )
    published = 0

    def slowest() -> int:
        return min(progress[:])

    async def send(n: int, mark: str) -> None:
        payload = f'{{"n":{n},"t":{time.monotonic()!r},"p":"{mark}"}}'
        frame = f'{{"type":"publish","channel":"{options.channel}","payload":{payload}}}'
        await websocket.send(frame)

    async def drain() -> float:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while slowest() < published and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        return time.monotonic()

    phases: dict[str, dict[str, Any]] = {}
    for phase in PHASES:
        cpu_before = {pid: _cpu(pid) for pid in options.server_pid}
        started = time.monotonic()
        first = published
        if phase == "saturation":
            while time.monotonic() - started < options.saturation_seconds:
                if published - slowest() < options.window:
                    await send(published, "s")
                    published += 1
                else:
                    await asyncio.sleep(0.0005)
        else:
            interval = 1.0 / options.rate
            for n in range(max(1, round(options.latency_seconds * options.rate))):
                await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
                await send(published, "l")
                published += 1
        drained = await drain()
        phases[phase] = {
            "published": published - first,
            "started": started,
            "drained": drained,
            "server_cpu_seconds": {
                str(pid): _cpu(pid) - cpu_before[pid] for pid in options.server_pid
            },
        }
        await asyncio.sleep(0.5)
    await websocket.close()
    return phases


def _summary(
    options: argparse.Namespace, phase: str, publisher: dict[str, Any], reports: list[Any]
) -> dict[str, Any]:
    seen = [r[phase] for r in reports]
    received = sum(r["received"] for r in seen)
    elapsed = max(r["last"] for r in seen) - publisher["started"]
    window = publisher["drained"] - publisher["started"]
    client_cpu = sum(r["cpu_seconds"] for r in seen)
    server_cpu = sum(publisher["server_cpu_seconds"].values())
    summary: dict[str, Any] = {
        "clients": options.clients,
        "published": publisher["published"],
        "expected": publisher["published"] * options.clients,
        "received": received,
        "closed_by_server": sum(r["closed_by_server"] for r in reports),
        "elapsed_seconds": elapsed,
        "deliveries_per_second": received / elapsed if elapsed > 0 else 0.0,
        "client_cpu_seconds": client_cpu,
        "client_cores": client_cpu / window if window > 0 else 0.0,
        "client_cpu_us_per_delivery": client_cpu / received * 1e6 if received else 0.0,
        "server_cpu_seconds": publisher["server_cpu_seconds"],
        "server_cores": server_cpu / window if window > 0 else 0.0,
    }
    latencies = sorted(x for r in seen for x in r["latencies_ms"])
    if latencies:
        summary["latency_ms"] = {
            "count": len(latencies),
            "p50": latencies[len(latencies) // 2],
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max": latencies[-1],
            "mean": statistics.fmean(latencies),
        }
    return summary


def main() -> None:
    options = _options()
    spawn = multiprocessing.get_context("spawn")
    processes = max(1, min(options.processes, options.clients))
    progress = spawn.Array("q", processes, lock=False)
    ready = spawn.Semaphore(0)
    stop = spawn.Event()
    results = spawn.Queue()
    shares = [
        options.clients // processes + (i < options.clients % processes) for i in range(processes)
    ]
    workers = [
        spawn.Process(
            target=_subscriber,
            args=(
                i,
                options.subscribe_url,
                shares[i],
                options.channel,
                progress,
                ready,
                stop,
                results,
            ),
            daemon=True,
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            if not ready.acquire(timeout=120):
                raise SystemExit("subscribers did not connect within 120 s")
        time.sleep(0.5)  # let every subscription settle (Redis listeners included)
        publisher = uvloop.run(_publish(options, progress))
    finally:
        stop.set()
    reports = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    print(json.dumps({p: _summary(options, p, publisher[p], reports) for p in PHASES}))


if __name__ == "__main__":
    main()
