"""How routes ask who is calling: `CurrentPrincipal`, or `RequireScopes(...)` for a scope.

Failures are problems with the `WWW-Authenticate` challenge of RFC 6750: 401 and
`invalid_token` when the token is missing or not accepted, 403 and `insufficient_scope`
when it lacks a scope.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..problems import PROBLEM_RESPONSE, Responses
from .principal import Principal
from .verifier import InvalidTokenError, Verifier

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An access token from the identity provider (`make token` in development).",
)
"""Declares the scheme in the OpenAPI schema, so `/docs` can send a token."""

AUTH_RESPONSES: Responses = {
    401: PROBLEM_RESPONSE | {"description": "No bearer token, or one that is not accepted."},
    403: PROBLEM_RESPONSE | {"description": "The token lacks a scope this operation needs."},
}
"""Document on routers and routes that take a principal."""


class NotAuthenticatedError(HTTPException):
    def __init__(self, why: str, *, error: str | None = "invalid_token") -> None:
        # No `error` when no token came at all (RFC 6750, 3.1): nothing was wrong with one.
        challenge = f'Bearer error="{error}", error_description="{why}"' if error else "Bearer"
        super().__init__(401, why, headers={"WWW-Authenticate": challenge})


class InsufficientScopeError(HTTPException):
    def __init__(self, missing: frozenset[str]) -> None:
        scopes = " ".join(sorted(missing))
        challenge = f'Bearer error="insufficient_scope", scope="{scopes}"'
        detail = f"The token lacks the scope {scopes}."
        super().__init__(403, detail, headers={"WWW-Authenticate": challenge})


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticatedError("A bearer token is required.", error=None)
    verifier: Verifier = request.state.verifier
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidTokenError as error:
        raise NotAuthenticatedError(f"The token is not accepted: {error}.") from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class RequireScopes:
    """A dependency: the caller, when its token carries every one of `scopes`.

    `Annotated[Principal, Depends(RequireScopes("items:write"))]` as a parameter, or
    `dependencies=[Depends(RequireScopes("items:write"))]` on a route or router.
    """

    def __init__(self, *scopes: str) -> None:
        self.scopes = frozenset(scopes)

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        missing = principal.missing(self.scopes)
        if missing:
            raise InsufficientScopeError(missing)
        return principal
