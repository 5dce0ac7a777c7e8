"""Bad bytes in a request are the client's error (400), never a server error (500).

PostgreSQL refuses a NUL character in any text, and Django decodes invalid UTF-8 in a query
string or form into U+FFFD without telling the view. So, before any view: a query string or a
form body (urlencoded or multipart fields) that holds a NUL byte or invalid UTF-8 is refused with
400 and a Vietnamese page. Uploaded files are not inspected (they are bytes, checked by their own
readers). Oversized forms are refused by Django itself (DATA_UPLOAD_MAX_*: 400).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _bad_urlencoded(raw: bytes) -> bool:
    # One pass over the whole body: "&" and "=" are ASCII, never inside a %XX escape nor inside
    # a UTF-8 sequence, so the decoded body is valid UTF-8 without NUL exactly when every decoded
    # name and value is. Without a "%" nothing is escaped: the bytes are checked as they are.
    data = unquote_to_bytes(raw) if b"%" in raw else raw
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _bad_urlencoded_by_part(raw: bytes) -> bool:
    """The same check, name by name and value by value (kept to test the one-pass check against)."""
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            data = unquote_to_bytes(part.replace(b"+", b" "))
            if b"\x00" in data:
                return True
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return True
    return False


class BadBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._is_bad(request):
            html = render_to_string(
                "400.html",
                {"message": _("Yêu cầu chứa ký tự không hợp lệ (ký tự NUL hoặc mã hoá sai).")},
                request=request,
            )
            return HttpResponseBadRequest(html)
        return self.get_response(request)

    def _is_bad(self, request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if query and _bad_urlencoded(query.encode("latin-1", "replace")):
            return True
        if "\x00" in request.path:
            return True
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.META.get("CONTENT_TYPE", "")
            try:
                if content_type.startswith("application/x-www-form-urlencoded"):
                    return _bad_urlencoded(request.body)
                if content_type.startswith("multipart/form-data"):
                    return any(
                        "\x00" in value or "\ufffd" in value
                        for values in request.POST.lists()
                        for value in values[1]
                    )
            except Exception:  # noqa: BLE001 (a body Django cannot parse is left to Django: 400)
                return False
        return False
