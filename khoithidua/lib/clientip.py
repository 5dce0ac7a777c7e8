"""The client's address, read through a configured number of trusted proxies.

Behind nginx, REMOTE_ADDR is the proxy. Each proxy appends the address it received the request
from to X-Forwarded-For, so with `settings.TRUSTED_PROXIES = N` the client is the N-th address
from the right of [X-Forwarded-For..., REMOTE_ADDR]. Anything further left was written by the
client itself and is ignored (it could name any address). With N = 0, X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    chain = []
    trusted = getattr(settings, "TRUSTED_PROXIES", 0)
    if trusted:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    chain.append(request.META.get("REMOTE_ADDR", "") or "")
    candidate = chain[-(trusted + 1)] if len(chain) > trusted else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A proxy that wrote garbage: fall back to the closest address we can trust.
        return request.META.get("REMOTE_ADDR", "") or ""
