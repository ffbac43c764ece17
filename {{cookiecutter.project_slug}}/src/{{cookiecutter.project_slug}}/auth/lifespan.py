"""The module's lifespan: the verifier, its key cache, and the task keeping keys fresh."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypedDict

import httpx

from ..module import Resources, State
from .devtoken import DEV_ISSUER, load_or_create_key, public_jwk
from .keys import JwksSource, KeyCache, KeysUnavailableError
from .settings import AuthSettings
from .verifier import Verifier


class AuthState(TypedDict):
    verifier: Verifier


@asynccontextmanager
async def open_auth(
    settings: AuthSettings,
    state: State,
    *,
    development: bool,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Resources]:
    """Fetches the provider's keys once (bounded by AUTH_JWKS_TIMEOUT), then keeps them
    fresh in the background: an unreachable provider makes the service unready (503 on
    `/health/ready`) until a fetch succeeds, not unable to start.

    Keys come through the shared HTTP client when the service has one (its retries and
    pool), else through a client of this module's; `transport` replaces the network.
    """
    issuer = str(settings.auth_issuer) if settings.auth_issuer else None
    jwks_url = str(settings.auth_jwks_url) if settings.auth_jwks_url else None
    async with AsyncExitStack() as stack:
        shared = state.get("http_client")
        if transport is None and isinstance(shared, httpx.AsyncClient):
            client = shared
        else:
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport))
        timeout = settings.auth_jwks_timeout
        source = JwksSource(client, issuer=issuer, jwks_url=jwks_url, timeout=timeout)
        refresh_interval = settings.auth_jwks_refresh_interval
        keys = KeyCache(source, ttl=settings.auth_jwks_ttl, refresh_interval=refresh_interval)
        dev_key = None
        if development and settings.auth_dev_key_file is not None:
            key = await asyncio.to_thread(load_or_create_key, settings.auth_dev_key_file)
            dev_key = (DEV_ISSUER, public_jwk(key))
        verifier = Verifier(
            keys,
            issuer=issuer,
            audience=settings.auth_audience or "{{ cookiecutter.project_slug }}",
            algorithms=settings.auth_algorithms,
            leeway=settings.auth_leeway,
            remember=settings.auth_remembered_tokens,
            development=dev_key,
        )
        if issuer is None and jwks_url is None:
            # Nothing to fetch, nothing to wait for: every token is refused (but the
            # development key's), and production refuses to start like this.
            yield Resources(AuthState(verifier=verifier))
            return

        async def keys_loaded() -> None:
            if not keys.loaded:
                raise KeysUnavailableError(keys.error)

        with contextlib.suppress(KeysUnavailableError):  # logged; readiness says so
            await keys.refresh()
        refresher = asyncio.create_task(keys.keep_fresh(), name="auth-keys")
        try:
            yield Resources(AuthState(verifier=verifier), checks={"auth": keys_loaded})
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
