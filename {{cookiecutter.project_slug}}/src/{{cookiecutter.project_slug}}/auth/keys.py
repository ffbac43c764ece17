"""The provider's signing keys: fetched from its JWKS, cached, refreshed in the background.

A request never waits for the network once keys are cached: the key set is replaced every
`ttl` seconds by a background task, and only a token signed with a key the cache does not
know triggers a fetch on the spot, at most once per `refresh_interval` (a provider that
rotated keys is caught at once; a flood of forged `kid`s costs one fetch).
"""

import asyncio
import contextlib
import logging
import time
from typing import Any

import httpx
from jwt import PyJWK, PyJWKSet, PyJWTError

logger = logging.getLogger(__name__)


class KeysUnavailableError(Exception):
    """The provider's keys could not be fetched (yet)."""


class JwksSource:
    """Where the key set lives: a JWKS URL, or an issuer's discovery document naming it."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        issuer: str | None,
        jwks_url: str | None,
        timeout: float,
    ) -> None:
        self.client = client
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.timeout = timeout

    async def fetch(self) -> dict[str, Any]:
        url = self.jwks_url or await self._discover()
        return await self._json(url)

    async def _discover(self) -> str:
        if self.issuer is None:
            raise KeysUnavailableError("no identity provider configured (AUTH_ISSUER)")
        document = await self._json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != self.issuer:
            raise KeysUnavailableError("the discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise KeysUnavailableError("the discovery document has no jwks_uri")
        self.jwks_url = jwks_uri
        return jwks_uri

    async def _json(self, url: str) -> dict[str, Any]:
        try:
            response = await self.client.get(url, timeout=self.timeout)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise KeysUnavailableError(f"{url}: {type(error).__name__}: {error}") from error
        if not isinstance(document, dict):
            raise KeysUnavailableError(f"{url}: not a JSON object")
        return document


class KeyCache:
    """Keys by `kid`; one fetch at a time, however many requests ask."""

    def __init__(self, source: JwksSource, *, ttl: float, refresh_interval: float) -> None:
        self.source = source
        self.ttl = ttl
        self.refresh_interval = refresh_interval
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at: float | None = None
        self.version = 0
        """Counts the key sets fetched: what was verified with an older one is checked again."""
        self.error: str | None = "not fetched yet"
        self._last_attempt = -float("inf")
        self._lock = asyncio.Lock()
        self._verifiers: dict[tuple[str, str], PyJWK] = {}

    @property
    def loaded(self) -> bool:
        return self.fetched_at is not None

    async def refresh(self) -> None:
        """Fetch the key set now; on failure the keys held so far stay in use."""
        async with self._lock:
            await self._fetch()

    async def _fetch(self) -> None:
        self._last_attempt = time.monotonic()
        try:
            document = await self.source.fetch()
            usable = PyJWKSet.from_dict(document).keys
        except (KeysUnavailableError, PyJWTError) as error:
            self.error = str(error)
            logger.warning("signing keys not fetched: %s", error)
            raise KeysUnavailableError(str(error)) from error
        ids = {key.key_id for key in usable if key.public_key_use in (None, "sig")}
        keys = {jwk["kid"]: jwk for jwk in document["keys"] if jwk.get("kid") in ids}
        self.keys, self._verifiers = keys, {}
        self.fetched_at, self.error = time.monotonic(), None
        self.version += 1

    async def key(self, kid: str, algorithm: str) -> PyJWK | None:
        """The key to verify a token signed by `kid` with `algorithm`; None if unknown
        even after a refresh (or a refresh is not due yet)."""
        found = self._verifier(kid, algorithm)
        if found is not None or kid in self.keys:
            return found
        async with self._lock:
            if kid not in self.keys and self._refresh_due():
                try:
                    await self._fetch()
                except KeysUnavailableError:
                    return None
        return self._verifier(kid, algorithm)

    def _refresh_due(self) -> bool:
        return time.monotonic() - self._last_attempt >= self.refresh_interval

    def _verifier(self, kid: str, algorithm: str) -> PyJWK | None:
        """The key bound to `algorithm`: a key that names its own algorithm verifies only
        that one, so a token cannot choose another."""
        jwk = self.keys.get(kid)
        if jwk is None or jwk.get("alg", algorithm) != algorithm:
            return None
        cached = self._verifiers.get((kid, algorithm))
        if cached is None:
            try:
                cached = PyJWK(jwk, algorithm)
            except PyJWTError:  # e.g. an EC key asked for RS256
                return None
            self._verifiers[(kid, algorithm)] = cached
        return cached

    async def keep_fresh(self) -> None:
        """Run for the app's life: fetch again every `ttl` seconds, or after a failure as
        soon as refreshes are allowed (at least a second apart)."""
        while True:
            retry = min(self.ttl, max(self.refresh_interval, 1.0))
            await asyncio.sleep(self.ttl if self.error is None else retry)
            with contextlib.suppress(KeysUnavailableError):  # logged; readiness says so
                await self.refresh()
