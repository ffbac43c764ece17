"""What a module hands the core: routers, a lifespan, middleware, error handlers.

The core knows modules only through this shape and the list in `modules.py`.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.types import ExceptionHandler

State = Mapping[str, object]
"""Named resources, as lifespans open them; requests see each as `request.state.<name>`."""

ReadinessCheck = Callable[[], Awaitable[None]]
"""Returns when the dependency is usable; raises (or times out) when it is not."""


@dataclass(frozen=True, slots=True)
class Resources:
    """What a module's lifespan yields while the app runs."""

    state: State = field(default_factory=dict)
    """Its named resources (a `TypedDict` says which); a name belongs to one module."""
    checks: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    """Readiness checks of those resources, made with them: `/health/ready` runs them."""


Lifespan = Callable[[FastAPI, State], AbstractAsyncContextManager[Resources]]
"""Opens a module's resources, given the app and the state of the modules started before it;
closes them on exit."""


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    routers: Sequence[APIRouter] = ()
    lifespan: Lifespan | None = None
    middleware: Sequence[Middleware] = ()
    """Outermost first, all outside the core's body limit."""
    exception_handlers: Mapping[type[Exception], ExceptionHandler] = field(default_factory=dict)
    responses: Mapping[int, str] = field(default_factory=dict)
    """Error statuses the module may answer on any operation, with why (documented on each)."""
