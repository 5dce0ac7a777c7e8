"""Issue 15: the voting routes come first in the URL configuration (every ballot resolves
/vote/, and patterns are tried in order). Moving an app's routes first must not change what
any URL resolves to: each route's own sample URL resolves to that route, not to an earlier one.
"""

from __future__ import annotations

import re

from django.urls import get_resolver, resolve
from django.urls.resolvers import URLResolver

SAMPLES = {
    "int": "7",
    "slug": "abc",
    "str": "abc",
    "uuid": "12345678-1234-1234-1234-123456789012",
    "path": "a/b",
}


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def test_every_route_resolves_its_own_urls():
    shadowed = []
    checked = 0
    for route, pattern in _routes(get_resolver().url_patterns):
        if "^" in route or "(" in route:  # the admin's regex routes
            continue
        sample = re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], route)
        match = resolve("/" + sample)
        checked += 1
        if match.func is not pattern.callback and match.route != route:
            shadowed.append((route, match.route))
    assert checked > 300
    assert shadowed == []


def test_the_voting_routes_are_tried_first():
    first = [route for route, _ in _routes(get_resolver().url_patterns)][:4]
    assert "vote/" in first and "vote/<int:poll_pk>/" in first
