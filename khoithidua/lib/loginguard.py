"""Login protection on every login path (/login/, /admin/login/, anything calling authenticate).

Counted in the shared cache (Redis in production: INCR and SET NX are atomic, so N servers and
parallel bursts share one count), by the username *as authentication reads it* (UsernameField:
NFKC, surrounding whitespace stripped; also case-folded, so case variants count together):

- per (account, client): LOGIN_MAX_FAILURES failures lock that account for that client for
  LOGIN_LOCKOUT_SECONDS; each new lock of the same pair within a day doubles it (backoff, at most
  a day). Another client with no failures can still log in to the account: an attacker cannot
  lock the owner out unless they share the owner's address.
- per client, across accounts: LOGIN_CLIENT_MAX_FAILURES failures lock the client out of every
  account for LOGIN_LOCKOUT_SECONDS (password spraying).

`LockoutBackend` (first in AUTHENTICATION_BACKENDS) refuses a locked attempt before any password
is checked, whatever view called authenticate(); the `user_login_failed` signal counts failures;
`LoginLockMiddleware` answers a locked POST to a login page with 429 and the real remaining time.
The client is `clientip.client_ip` (X-Forwarded-For only through TRUSTED_PROXIES).
"""

from __future__ import annotations

import hashlib
import math
import time
import unicodedata

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .clientip import client_ip

MAX_LOCKOUT_SECONDS = 24 * 3600
LOGIN_URL_NAMES = {("", "login"), ("admin", "login")}


def normalise_username(raw) -> str:
    """What AuthenticationForm's UsernameField does (strip, NFKC), then case-folded."""
    text = "" if raw is None else str(raw)
    return unicodedata.normalize("NFKC", text.strip()).casefold()


def _h(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _keys(username: str, ip: str) -> dict[str, str]:
    account = normalise_username(username)
    return {
        "pair": f"login:pair:{_h(account, ip)}",
        "pair_lock": f"login:pair-lock:{_h(account, ip)}",
        "pair_locks": f"login:pair-locks:{_h(account, ip)}",
        "client": f"login:client:{_h(ip)}",
        "client_lock": f"login:client-lock:{_h(ip)}",
    }


def _count(key: str, window: int) -> int:
    """Atomic increment with an expiry set by the first failure (add = SET NX)."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def locked_for(request, username) -> int:
    """Seconds this client must still wait before trying `username` again (0: not locked)."""
    keys = _keys(username, client_ip(request))
    now = time.time()
    until = max(cache.get(keys["pair_lock"]) or 0, cache.get(keys["client_lock"]) or 0)
    return max(0, math.ceil(until - now))


def _lock_pair(keys) -> None:
    """Lock (account, client); each lock within a day doubles the next one (backoff)."""
    locks = (cache.get(keys["pair_locks"]) or 0) + 1
    seconds = min(settings.LOGIN_LOCKOUT_SECONDS * 2 ** (locks - 1), MAX_LOCKOUT_SECONDS)
    if cache.add(keys["pair_lock"], time.time() + seconds, seconds):
        _count(keys["pair_locks"], MAX_LOCKOUT_SECONDS)
        cache.delete(keys["pair"])


def _lock_client(keys) -> None:
    seconds = settings.LOGIN_LOCKOUT_SECONDS
    if cache.add(keys["client_lock"], time.time() + seconds, seconds):
        cache.delete(keys["client"])


def reserve_attempt(request, username) -> bool:
    """Count this attempt *before* the password is checked (atomic INCR): of N parallel attempts
    only the first LOGIN_MAX_FAILURES get a password check. False: refuse it."""
    keys = _keys(username, client_ip(request))
    window = settings.LOGIN_LOCKOUT_SECONDS
    pair = _count(keys["pair"], window)
    client = _count(keys["client"], window)
    request._loginguard = (keys, pair, client)
    if pair > settings.LOGIN_MAX_FAILURES:
        _lock_pair(keys)
        return False
    if client > settings.LOGIN_CLIENT_MAX_FAILURES:
        _lock_client(keys)
        return False
    return True


def record_failure(request, username) -> None:
    reserved = getattr(request, "_loginguard", None)
    if reserved is None:  # a login path without the middleware's reservation: count now
        keys = _keys(username, client_ip(request))
        window = settings.LOGIN_LOCKOUT_SECONDS
        reserved = (keys, _count(keys["pair"], window), _count(keys["client"], window))
    keys, pair, client = reserved
    if pair >= settings.LOGIN_MAX_FAILURES:
        _lock_pair(keys)
    if client >= settings.LOGIN_CLIENT_MAX_FAILURES:
        _lock_client(keys)


def record_success(request, username) -> None:
    keys = _keys(username, client_ip(request))
    cache.delete_many([keys["pair"], keys["pair_locks"]])
    if getattr(request, "_loginguard", None) is not None:
        try:  # this attempt was counted against the client: a success is not spraying
            cache.decr(keys["client"])
        except ValueError:
            pass


def lock_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(m)s phút.") % {"m": minutes}


class LockoutBackend(ModelBackend):
    """Django's ModelBackend, refusing a locked (account, client) before any password check.

    It is the first backend (force_login and new sessions use it); ModelBackend stays listed
    only for sessions opened before it. A wrong password stops the chain (PermissionDenied), so
    the password is hashed once per attempt, not once per backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username is not None and locked_for(request, username):
            request.login_refused_by_lock = True  # no password checked: not a wrong password
            raise PermissionDenied(_("Tài khoản tạm khoá đăng nhập từ máy này."))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username is not None:
            raise PermissionDenied
        return user


@receiver(user_login_failed)
def _on_failure(sender, credentials, request=None, **kwargs):
    if request is not None and "username" in credentials:
        if not locked_for(request, credentials["username"]):
            record_failure(request, credentials["username"])


@receiver(user_logged_in)
def _on_success(sender, request, user, **kwargs):
    if request is not None and request.method == "POST":
        record_success(request, request.POST.get("username", user.get_username()))


class LoginLockMiddleware:
    """A POST to a login page by a locked client: 429 with the time left, the password unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        if (match.namespace, match.url_name) not in LOGIN_URL_NAMES:
            return None
        username = request.POST.get("username", "")[:300]
        seconds = locked_for(request, username)
        if not seconds and reserve_attempt(request, username):
            return None
        seconds = seconds or locked_for(request, username) or settings.LOGIN_LOCKOUT_SECONDS
        response = TemplateResponse(
            request,
            "registration/login.html",
            {
                "form": AuthenticationForm(request),
                "locked": lock_message(seconds),
                "next": request.POST.get("next", "")[:2000],
            },
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response
