"""One lifespan that opens every module's resources in order and closes them in reverse."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from .module import Module, State
from .readiness import Readiness


def lifespan_for(
    modules: Sequence[Module],
) -> Callable[[FastAPI], AbstractAsyncContextManager[State]]:
    """A lifespan whose state (seen as `request.state`) holds every module's resources."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        checks = {name: check for module in modules for name, check in module.checks.items()}
        state: dict[str, Any] = {"readiness": Readiness(checks)}
        async with AsyncExitStack() as stack:
            for module in modules:
                if module.lifespan is not None:
                    state.update(await stack.enter_async_context(module.lifespan()))
            for module in modules:
                if module.started is not None:
                    module.started(app, state)
            yield state

    return lifespan
