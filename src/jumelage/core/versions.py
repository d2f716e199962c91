"""Version tokens in the shared (database) cache: what a process caches is keyed by a token, and a
write replaces the token, so every app-server process drops its copies together."""

import uuid

from django.core.cache import cache
from django.db import transaction


def token(key: str) -> str:
    """The current token under `key` (created on first use)."""
    value = cache.get(key)
    if value is None:  # first use: the first process to add it wins
        value = uuid.uuid4().hex
        cache.add(key, value, None)
        value = cache.get(key, value)
    return value


def bump(key: str, using: str = "default") -> None:
    """Replace the token now and again once the transaction commits (so that no process caches what
    it read before the commit under the new token)."""
    cache.set(key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None), using=using)
