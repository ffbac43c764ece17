"""A pytest plugin that fails a test whose code blocks its event loop (tests/conftest.py loads it).

A coroutine that calls blocking code (`time.sleep`, a synchronous driver, a long computation)
holds up every other task of its loop, every other request of a server, for as long. The
`async def` tests and fixtures run on a `WatchedLoop`, which times each turn of the loop (the
callbacks it runs between two waits for I/O: what the other connections wait for), garbage
collections left out (they stop the loop wherever an allocation happens to trigger them, for as
long as the whole test process takes to walk). While a turn runs past the limit, a watchdog
thread takes the stack of the loop's thread, so the failure names the line that blocked.
(asyncio's debug mode times callbacks too, but slows the suite down and names only their task:
under anyio's test runner, the runner's own for every test and fixture.)

The limit is the `event_loop_block_limit` option, in seconds (0 turns the check off).
"""

import asyncio
import gc
import selectors
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import pytest

LIBRARIES = (
    *{sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")},
    "<",  # frozen modules (importlib) and generated code
)
"""Where Python's and the installed packages' code is: frames outside are the project's."""


@dataclass(frozen=True)
class Block:
    """A turn of the loop that took `seconds`; `stack`: where it was once past the limit."""

    seconds: float
    stack: traceback.StackSummary | None

    def __str__(self) -> str:
        head = f"the event loop was blocked for {self.seconds:.2f} s"
        if not self.stack:
            return f"{head} (it ended before its stack was taken)"
        own = [frame for frame in self.stack if not frame.filename.startswith(LIBRARIES)]
        innermost = self.stack[-1]
        if not own:  # a library's own callback: all of it
            shown = list(self.stack)
        elif own[-1] is innermost:
            shown = own
        else:  # the project's calls down to the library code that blocked
            shown = [*own, innermost]
        lines = traceback.StackSummary.from_list(shown).format()
        return f"{head}, at:\n" + "".join(lines).rstrip()


class _TimedSelector(selectors.DefaultSelector):
    """Tells the loop when it waits for I/O, and when it wakes up to run callbacks."""

    def __init__(self, waits: Callable[[], None], wakes: Callable[[], None]) -> None:
        super().__init__()
        self._waits = waits
        self._wakes = wakes

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        self._waits()
        try:
            return super().select(timeout)
        finally:
            self._wakes()


class WatchedLoop(asyncio.SelectorEventLoop):
    """An event loop that hands `report` each of its turns that ran `limit` seconds or more."""

    def __init__(self, limit: float, report: Callable[[Block], None]) -> None:
        self._limit = limit
        self._report = report
        self._turns = 0
        self._turn: tuple[int, float] | None = None  # the running turn's number and start
        self._stacks: dict[int, traceback.StackSummary] = {}
        self._collected = 0.0  # seconds spent in garbage collections
        self._collecting_since = 0.0
        super().__init__(_TimedSelector(waits=self._end_turn, wakes=self._start_turn))

    def run_forever(self) -> None:
        stop = threading.Event()
        watchdog = threading.Thread(
            target=self._watch, args=(threading.get_ident(), stop), daemon=True
        )
        watchdog.start()
        gc.callbacks.append(self._time_collection)
        try:
            super().run_forever()
        finally:
            self._end_turn()
            gc.callbacks.remove(self._time_collection)
            stop.set()
            watchdog.join()
            self._stacks.clear()

    def _time_collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting_since = time.monotonic()
        else:
            self._collected += time.monotonic() - self._collecting_since

    def _now(self) -> float:
        """A clock that stops during garbage collections."""
        return time.monotonic() - self._collected

    def _start_turn(self) -> None:
        self._turns += 1
        self._turn = (self._turns, self._now())

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            number, start = turn
            seconds = self._now() - start
            if seconds >= self._limit:
                self._report(Block(seconds, self._stacks.pop(number, None)))

    def _watch(self, thread: int, stop: threading.Event) -> None:
        """Takes the stack of the loop's `thread` once in each turn that runs past the limit."""
        while not stop.wait(self._limit / 20):
            turn = self._turn
            if turn is None or turn[0] in self._stacks or self._now() - turn[1] < self._limit:
                continue
            frame = sys._current_frames().get(thread)
            stack = _callbacks_stack(frame) if frame else None
            if stack and self._turn is turn:  # taken while that turn still ran
                self._stacks[turn[0]] = stack


def _callbacks_stack(frame: FrameType) -> traceback.StackSummary:
    """The stack of the loop's thread at `frame`, without the frames that run the loop."""
    stack = traceback.extract_stack(frame)
    loop = [i for i, at in enumerate(stack) if (at.filename, at.name) == (__file__, "run_forever")]
    return traceback.StackSummary.from_list(stack[loop[-1] + 1 :] if loop else stack)


class LoopWatch:
    """Makes the tests' event loops (`new_loop`) and keeps their turns that took `limit`
    seconds or more until `take` hands them over."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._blocks: list[Block] = []

    def new_loop(self) -> WatchedLoop:
        return WatchedLoop(self.limit, self._blocks.append)

    def take(self) -> list[Block]:
        blocks = self._blocks.copy()
        self._blocks.clear()
        return blocks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "event_loop_block_limit",
        "seconds a test's code may block its event loop at once (0: no limit)",
        type="float",
        default=1.0,
    )


@pytest.fixture(scope="session")
def loop_watch(pytestconfig: pytest.Config) -> LoopWatch:
    return LoopWatch(limit=pytestconfig.getini("event_loop_block_limit"))


@pytest.fixture(scope="session")
def anyio_backend(loop_watch: LoopWatch) -> tuple[str, dict[str, Any]]:
    """`async def` tests run under anyio (`anyio_mode = "auto"`), on asyncio, on watched loops."""
    if not loop_watch.limit:
        return "asyncio", {}
    return "asyncio", {"loop_factory": loop_watch.new_loop}


@pytest.fixture(autouse=True)
def unblocked_event_loop(loop_watch: LoopWatch) -> Iterator[None]:
    """Fails the test, at its teardown, if the loop was blocked since the previous one ended:
    by its code or its fixtures' (a module's fixtures start before its first test)."""
    yield
    if blocks := loop_watch.take():
        limit = f"event_loop_block_limit = {loop_watch.limit} s"
        pytest.fail("\n".join([*map(str, blocks), f"(the limit: {limit})"]), pytrace=False)
