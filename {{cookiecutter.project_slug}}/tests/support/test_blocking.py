"""The plugin that fails a test whose code blocks its event loop (support/blocking.py)."""

import pytest

BLOCKING = """
import asyncio
import time

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

app = FastAPI()


@app.get("/")
async def sleepy() -> None:
    time.sleep(0.5)


async def test_blocks_in_its_body() -> None:
    time.sleep(0.5)


async def test_blocks_in_a_route() -> None:
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        await client.get("/")


async def test_waits() -> None:
    await asyncio.sleep(0.5)


def test_blocks_no_loop() -> None:
    time.sleep(0.5)
"""


def test_a_test_that_blocks_its_loop_fails_naming_the_line(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nanyio_mode = auto\nevent_loop_block_limit = 0.25\n")
    pytester.makeconftest('pytest_plugins = ["support.blocking"]')  # as tests/conftest.py
    pytester.makepyfile(test_blocking=BLOCKING)
    result = pytester.runpytest()
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_blocks_in_its_body*",
            "the event loop was blocked for * s, at:",
            '  File "*test_blocking.py", line *, in test_blocks_in_its_body',
            "    time.sleep(0.5)",
            "(the limit: event_loop_block_limit = 0.25 s)",
            "*ERROR at teardown of test_blocks_in_a_route*",
            "the event loop was blocked for * s, at:",
            '  File "*test_blocking.py", line *, in test_blocks_in_a_route',
            '    await client.get("/")',
            '  File "*test_blocking.py", line *, in sleepy',
            "    time.sleep(0.5)",
        ]
    )
