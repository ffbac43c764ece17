"""Settings of token verification: which provider to trust, for which audience, how."""

from pathlib import Path

from pydantic import Field, HttpUrl, field_validator

from ..settings import BaseServiceSettings, variable

ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Algorithms a provider's public keys can verify: never `none`, never a shared secret
(an HMAC "verified" with a public key is the classic algorithm-confusion forgery)."""


class AuthSettings(BaseServiceSettings):
    """The identity provider whose bearer tokens the service accepts."""

    auth_issuer: HttpUrl | None = Field(
        default=None,
        description=(
            "The provider's issuer URL, exactly as in its tokens' `iss`; its keys come from "
            "`<issuer>/.well-known/openid-configuration` unless AUTH_JWKS_URL is set."
        ),
    )
    auth_audience: str | None = Field(
        default=None, description="The `aud` tokens must carry: this API's identifier."
    )
    auth_jwks_url: HttpUrl | None = Field(
        default=None, description="The provider's key set, when it publishes no discovery."
    )
    auth_algorithms: list[str] = Field(
        default=["RS256", "ES256"],
        description="Signature algorithms accepted (JSON list); asymmetric ones only.",
    )
    auth_leeway: float = Field(
        default=30.0, ge=0, le=300, description="Seconds of clock skew allowed on exp and nbf."
    )
    auth_jwks_ttl: float = Field(
        default=600.0, gt=0, description="Seconds the key set is used before it is fetched again."
    )
    auth_jwks_refresh_interval: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Least seconds between two fetches caused by tokens signed with an unknown key: "
            "forged tokens cannot make the service hammer the provider."
        ),
    )
    auth_jwks_timeout: float = Field(
        default=5.0, gt=0, description="Seconds one fetch of the discovery or key set may take."
    )
    auth_remembered_tokens: int = Field(
        default=1024,
        ge=0,
        description=(
            "Verified tokens remembered until they expire or the keys are fetched again, so "
            "a client's next requests skip the signature check; 0 checks every request."
        ),
    )
    auth_dev_key_file: Path | None = Field(
        default=None,
        description=(
            "The key `make token` signs development tokens with; trusted only while "
            "ENVIRONMENT=development, refused in production."
        ),
    )

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: list[str]) -> list[str]:
        refused = [name for name in algorithms if name not in ASYMMETRIC]
        if refused:
            raise ValueError(f"not an asymmetric signature algorithm: {', '.join(refused)}")
        if not algorithms:
            raise ValueError("at least one algorithm is needed")
        return algorithms

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.auth_issuer is None:
            problems.append(f"{variable('auth_issuer')}: required, the provider to trust")
        if self.auth_audience is None:
            problems.append(f"{variable('auth_audience')}: required, this API's identifier")
        if self.auth_dev_key_file is not None:
            problems.append(
                f"{variable('auth_dev_key_file')}: a development key; unset it in production"
            )
        return problems
