"""Who made a request, as a verified token says."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    """The token's `sub`: stable per user or client at this provider."""
    scopes: frozenset[str]
    claims: Mapping[str, Any]
    """Every claim of the token, for what the service needs beyond scopes."""

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> "Principal":
        """Scopes as providers write them: `scope`, a space-separated string (RFC 8693,
        Keycloak, Auth0), or `scp`, a list (Entra ID, Okta)."""
        scope = claims.get("scope")
        listed = claims.get("scp")
        scopes = set(scope.split()) if isinstance(scope, str) else set()
        if isinstance(listed, list):
            scopes.update(item for item in listed if isinstance(item, str))
        elif isinstance(listed, str):
            scopes.update(listed.split())
        return cls(subject=str(claims["sub"]), scopes=frozenset(scopes), claims=claims)

    def missing(self, required: frozenset[str]) -> frozenset[str]:
        return required - self.scopes
