"""Feedback that reaches the user wherever a request fails (issue 13).

- `HtmxSessionEndMiddleware`: an htmx request whose session has ended gets `HX-Redirect` to the
  login page, with `next` set to the page the user was on, instead of the login page rendered
  inside the form card.
- `csrf_failure`: the CSRF failure page in the user's language, with what to do next; the
  fragment carries `data-error-message`, which static/js/app.js shows in place under htmx.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect


class HtmxSessionEndMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302, 303):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login_path:
            return response
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
        ok = back and url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        target = login_path + ("?" + urlencode({"next": back}) if ok else "")
        return HttpResponseClientRedirect(target)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
