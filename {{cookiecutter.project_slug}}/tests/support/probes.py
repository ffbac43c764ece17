"""Modules a test adds to an app: one that yields what the test gives it, one that watches."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import FastAPI

from {{ cookiecutter.project_slug }}.module import Module, ReadinessCheck, Resources, State

T = TypeVar("T")


def yielding(
    name: str, state: State | None = None, checks: Mapping[str, ReadinessCheck] | None = None
) -> Module:
    """A module whose lifespan opens nothing and yields `state` and `checks`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI, _state: State) -> AsyncIterator[Resources]:
        yield Resources(state or {}, checks or {})

    return Module(name=name, lifespan=lifespan)


class Watcher:
    """A module that keeps the app's state while the app runs (its lifespan is handed the
    mapping the app serves, which fills up as the later modules start)."""

    def __init__(self) -> None:
        self.state: State = {}

    def get(self, name: str, kind: type[T]) -> T:
        """The resource `name`, which must be a `kind`."""
        value = self.state[name]
        assert isinstance(value, kind), f"{name!r} is a {type(value).__name__}"
        return value

    def module(self) -> Module:
        return Module(name="watcher", lifespan=self.lifespan)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI, state: State) -> AsyncIterator[Resources]:
        self.state = state
        try:
            yield Resources()
        finally:
            self.state = {}
