"""The lifespan: every module's resources in one state, each name owned by one module."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.lifespan import DuplicateNameError
from {{ cookiecutter.project_slug }}.module import Module, Resources, State
from {{ cookiecutter.project_slug }}.modules import Settings

from support.probes import Watcher, yielding


async def _passes() -> None:
    return None


async def test_a_state_key_yielded_twice_stops_the_start(settings: Settings) -> None:
    closed: list[str] = []

    @asynccontextmanager
    async def first(app: FastAPI, state: State) -> AsyncIterator[Resources]:
        try:
            yield Resources({"pool": 1})
        finally:
            closed.append("first")

    enabled = [Module(name="first", lifespan=first), yielding("second", {"pool": 2})]
    with pytest.raises(DuplicateNameError) as refused:
        async with LifespanManager(create_app(settings, enabled=enabled)):
            pass
    message = str(refused.value)
    assert "state key 'pool'" in message
    assert "'first' and 'second'" in message
    assert closed == ["first"], "what opened before the conflict is closed again"


async def test_a_readiness_check_yielded_twice_stops_the_start(settings: Settings) -> None:
    enabled = [
        yielding("first", checks={"db": _passes}),
        yielding("second", checks={"db": _passes}),
    ]
    with pytest.raises(DuplicateNameError, match=r"check 'db' .* 'first' and 'second'"):
        async with LifespanManager(create_app(settings, enabled=enabled)):
            pass


async def test_the_readiness_key_belongs_to_the_core(settings: Settings) -> None:
    enabled = [yielding("mine", {"readiness": None})]
    with pytest.raises(DuplicateNameError, match=r"'readiness' .* 'core' and 'mine'"):
        async with LifespanManager(create_app(settings, enabled=enabled)):
            pass


async def test_a_lifespan_is_given_what_the_modules_before_it_opened(settings: Settings) -> None:
    seen: list[object] = []

    @asynccontextmanager
    async def consumer(app: FastAPI, state: State) -> AsyncIterator[Resources]:
        seen.append(state.get("pool"))
        yield Resources()

    watcher = Watcher()
    enabled = [
        yielding("provider", {"pool": 3}),
        Module(name="consumer", lifespan=consumer),
        watcher.module(),
    ]
    async with LifespanManager(create_app(settings, enabled=enabled)):
        assert seen == [3]
        assert watcher.state["pool"] == 3
        assert "readiness" in watcher.state, "the app's whole state, once it has started"
