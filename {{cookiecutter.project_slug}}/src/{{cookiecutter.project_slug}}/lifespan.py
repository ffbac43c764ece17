"""One lifespan that opens every module's resources in order and closes them in reverse."""

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from .module import Module, ReadinessCheck, State
from .readiness import Readiness


class DuplicateNameError(RuntimeError):
    """Two modules yielded the same name: one would silently hide the other."""


def lifespan_for(
    modules: Sequence[Module],
) -> Callable[[FastAPI], AbstractAsyncContextManager[State]]:
    """A lifespan whose state (seen as `request.state`) holds every module's resources.

    Each module's lifespan gets this state as it stands (what the modules before it opened);
    it is the same mapping the app then serves, so it also shows what later modules open.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        state: dict[str, object] = {}
        checks: dict[str, ReadinessCheck] = {}
        state_owners = {"readiness": "core"}
        check_owners: dict[str, str] = {}
        async with AsyncExitStack() as stack:
            for module in modules:
                if module.lifespan is None:
                    continue
                resources = await stack.enter_async_context(module.lifespan(app, state))
                _claim(state_owners, resources.state, module.name, "state key")
                _claim(check_owners, resources.checks, module.name, "readiness check")
                state.update(resources.state)
                checks.update(resources.checks)
            state["readiness"] = Readiness(checks)
            yield state

    return lifespan


def _claim(owners: dict[str, str], names: Iterable[str], module: str, what: str) -> None:
    """Record `module` as the owner of `names`; refuse a name another module owns."""
    for name in names:
        if name in owners:
            raise DuplicateNameError(
                f"{what} {name!r} is yielded by both {owners[name]!r} and {module!r}; "
                "rename one of them"
            )
        owners[name] = module
