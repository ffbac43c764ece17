"""Bearer token verification: signature, algorithm, issuer, audience, time, subject."""

from typing import Any

import jwt

from .keys import KeyCache
from .principal import Principal
from .remembered import VerifiedTokens

REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class InvalidTokenError(Exception):
    """The token is not one this service accepts; the message says why (safe to show)."""


class Verifier:
    """Accepts tokens of one issuer for one audience, signed by a key of its key set.

    `remember`: how many verified tokens to remember; `development`: tokens `make token`
    signs with a local key, for its own issuer; only ever passed while the service runs
    in development.
    """

    def __init__(
        self,
        keys: KeyCache,
        *,
        issuer: str | None,
        audience: str,
        algorithms: list[str],
        leeway: float,
        remember: int = 0,
        development: tuple[str, jwt.PyJWK] | None = None,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.algorithms = frozenset(algorithms)
        self.leeway = leeway
        self.development = development
        self.verified = VerifiedTokens(remember)

    async def verify(self, token: str) -> Principal:
        """The token's principal; a token verified before and still valid is not checked
        again (up to `remember` of them)."""
        principal = self.verified.get(token, self.keys.version)
        if principal is None:
            principal = await self._verify(token)
            self.verified.put(token, principal, self.keys.version)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidTokenError("the token is malformed") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self.algorithms:
            raise InvalidTokenError(f"the algorithm {algorithm!r} is not accepted")
        if not isinstance(kid, str):
            raise InvalidTokenError("the token names no signing key (kid)")
        issuer, key = await self._key(kid, algorithm)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(_reason(error)) from None
        return Principal.from_claims(claims)

    async def _key(self, kid: str, algorithm: str) -> tuple[str | None, jwt.PyJWK]:
        if self.development is not None:
            issuer, key = self.development
            if kid == key.key_id and algorithm == key.algorithm_name:
                return issuer, key
        found = await self.keys.key(kid, algorithm)
        if found is None:
            raise InvalidTokenError("the token is signed by an unknown key")
        return self.issuer, found


def _reason(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the token has expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "the token is not valid yet"
    if isinstance(error, jwt.InvalidAudienceError):
        return "the token is for another audience"
    if isinstance(error, jwt.InvalidIssuerError):
        return "the token is from another issuer"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"the token has no {error.claim!r} claim"
    if isinstance(error, jwt.InvalidSignatureError):
        return "the signature does not verify"
    return "the token is not valid"
