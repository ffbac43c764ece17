"""What a module hands the core: routers, a lifespan, readiness checks, middleware.

The core knows modules only through this shape and the list in `modules.py`.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.types import ExceptionHandler

State = Mapping[str, Any]
"""Resources a lifespan opens, exposed to requests as `request.state.<name>`."""

Lifespan = Callable[[], AbstractAsyncContextManager[State]]
ReadinessCheck = Callable[[], Awaitable[None]]
"""Returns when the dependency is usable; raises (or times out) when it is not."""

Started = Callable[[FastAPI, State], None]
"""For code that resolves request dependencies outside requests (e.g. in-process jobs)."""


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    routers: Sequence[APIRouter] = ()
    lifespan: Lifespan | None = None
    checks: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    middleware: Sequence[Middleware] = ()
    """Outermost first, all outside the core's body limit."""
    exception_handlers: Mapping[type[Exception], ExceptionHandler] = field(default_factory=dict)
    responses: Mapping[int, str] = field(default_factory=dict)
    """Error statuses the module may answer on any operation, with why (documented on each)."""
    started: Started | None = None
    """Called once every lifespan has started, with the app and the full state."""
