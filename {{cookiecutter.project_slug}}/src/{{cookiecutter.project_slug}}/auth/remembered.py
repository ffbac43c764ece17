"""Tokens verified already. A client sends one token with every request until it expires,
and checking its signature again costs more than the rest of a small request (the Auth
group of the bench: BENCHMARKS.md)."""

import time
from collections import OrderedDict

from .principal import Principal


class VerifiedTokens:
    """Up to `size` principals by token, the least recently used dropped first; each is
    forgotten when its token expires or the provider's key set is fetched again (a key
    withdrawn by the provider stops vouching for tokens at once)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[Principal, float, int]] = OrderedDict()

    def get(self, token: str, keys_version: int) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, expires, version = entry
        if version != keys_version or time.time() >= expires:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal, keys_version: int) -> None:
        if self.size == 0:
            return
        self._entries[token] = (principal, float(principal.claims["exp"]), keys_version)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
