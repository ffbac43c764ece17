"""The example resource: a small CRUD API showing validation, paging and errors."""

from fastapi import Request

from ..module import Module
from ..problems import ProblemResponse, problem
from .repository import ItemNameTakenError
{% if cookiecutter.auth == "oidc" %}
from .routes import router, writes
{% else %}
from .routes import router
{% endif %}
from .storage import lifespan


async def name_taken(request: Request, exc: Exception) -> ProblemResponse:
    return problem(409, str(exc), instance=request.url.path)


def items_module() -> Module:
    return Module(
        name="items",
{% if cookiecutter.auth == "oidc" %}
        routers=[router, writes],
{% else %}
        routers=[router],
{% endif %}
        lifespan=lifespan,
        exception_handlers={ItemNameTakenError: name_taken},
    )
