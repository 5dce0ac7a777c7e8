"""Throttling of wrong ballot codes, per client and per poll, in Django's cache (whichever
backend the deployment configures: it must be shared by the workers, as the login throttle's)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from khoithidua.lib.clientip import client_ip

CLIENT_LIMIT = 10  # wrong codes from one client address …
CLIENT_WINDOW = 15 * 60  # … per 15 minutes
POLL_LIMIT = 30  # wrong codes for one poll (all clients) …
POLL_WINDOW = 60  # … per minute: guessing stays hopeless, a mistyping voter is not locked out


def _client(request) -> str:
    address = client_ip(request)  # behind nginx: X-Forwarded-For through TRUSTED_PROXIES
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def _keys(request, poll_id: int | None) -> list[tuple[str, int, int]]:
    keys = [(f"ballot-code:client:{_client(request)}", CLIENT_LIMIT, CLIENT_WINDOW)]
    if poll_id:
        keys.append((f"ballot-code:poll:{int(poll_id)}", POLL_LIMIT, POLL_WINDOW))
    return keys


def blocked(request, poll_id: int | None) -> int:
    """Seconds to wait if this client, or this poll, has had too many wrong codes; else 0."""
    for key, limit, window in _keys(request, poll_id):
        if (cache.get(key) or 0) >= limit:
            return window
    return 0


def record_failure(request, poll_id: int | None) -> None:
    for key, _limit, window in _keys(request, poll_id):
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)
