"""Submit once: a form that carries a one-time token (`{% once_token %}`) is processed once.

A double click, a browser resubmit or a replayed htmx request with the same token does not run
the view again: it is sent where the first submission went (or back to the page), with a message.
A submission that fails (4xx/5xx: invalid form, database down ...) frees its token, so the same
form can be sent again. Forms without a token are not affected.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

ONCE_FIELD = "_once"
PENDING = "pending"
TTL = 12 * 3600


class SubmitOnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_once_key", None)
        if key:
            if response.status_code >= 400:
                cache.delete(key)
            else:
                target = response.headers.get("HX-Redirect") or (
                    response.headers.get("Location") if 300 <= response.status_code < 400 else None
                )
                cache.set(key, target or "", TTL)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs after CsrfViewMiddleware.process_view: only genuine submissions reach this.
        if request.method != "POST":
            return None
        token = request.POST.get(ONCE_FIELD, "")[:64]
        if not token:
            return None
        user = getattr(request, "user", None)
        raw = f"{getattr(user, 'pk', '')}|{request.path}|{token}"
        key = "once:" + hashlib.sha256(raw.encode()).hexdigest()
        if cache.add(key, PENDING, TTL):
            request._once_key = key
            return None
        return self._replay(request, cache.get(key))

    def _replay(self, request, target: str | None) -> HttpResponse:
        messages.info(request, _("Biểu mẫu này đã được gửi; không xử lý lại lần nữa."))
        if not target or target == PENDING:
            referer = request.headers.get("Referer", "")
            ok = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
            target = referer if ok else request.path
        if getattr(request, "htmx", False):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target, status=303)
