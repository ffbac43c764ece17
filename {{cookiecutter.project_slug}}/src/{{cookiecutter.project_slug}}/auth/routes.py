"""`GET /me`: who the token says the caller is; a quick check of a token and its scopes."""

from fastapi import APIRouter
from pydantic import BaseModel

from .dependencies import AUTH_RESPONSES, CurrentPrincipal

router = APIRouter(tags=["auth"], responses=AUTH_RESPONSES)


class Me(BaseModel):
    subject: str
    scopes: list[str]


@router.get("/me", summary="The caller, as its token says")
async def me(principal: CurrentPrincipal) -> Me:
    return Me(subject=principal.subject, scopes=sorted(principal.scopes))
