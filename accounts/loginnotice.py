"""The failed-login notice: wrong passwords on an account since its last login.

Each wrong password checked for an existing account is kept as a `LoginFailure` row (the class
and network of the client address, not the address). The next successful login takes them
(reads and deletes them in one transaction), shows them once as a message, and keeps the
summary in the session so that the account page (password change) shows it for that session.
Attempts refused by a lock (khoithidua.lib.loginguard) checked no password and are not counted.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from khoithidua.lib.clientip import client_ip

from .models import LoginFailure

SESSION_KEY = "login_failures"
MAX_KEPT = 1000  # rows kept per account between logins; more are counted as "more than"


@dataclass(frozen=True)
class Source:
    client_class: str
    network: str
    count: int


@dataclass(frozen=True)
class FailureSummary:
    count: int
    first_at: datetime
    last_at: datetime
    sources: tuple[Source, ...]

    def as_session(self) -> dict:
        return {
            "count": self.count,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "sources": [[s.client_class, s.network, s.count] for s in self.sources],
        }

    @classmethod
    def from_session(cls, data: dict) -> FailureSummary:
        return cls(
            count=int(data["count"]),
            first_at=datetime.fromisoformat(data["first_at"]),
            last_at=datetime.fromisoformat(data["last_at"]),
            sources=tuple(Source(c, n, int(k)) for c, n, k in data["sources"]),
        )


def classify(ip: str) -> tuple[str, str]:
    """(class, network): the address's class and its /24 (IPv4) or /48 (IPv6) network."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return LoginFailure.ClientClass.UNKNOWN, ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    network = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    if address.is_loopback:
        return LoginFailure.ClientClass.LOOPBACK, network
    if address.is_private or address.is_link_local:
        return LoginFailure.ClientClass.PRIVATE, network
    if address.is_global:
        return LoginFailure.ClientClass.INTERNET, network
    return LoginFailure.ClientClass.UNKNOWN, network


def _account(username):
    """The account authentication would read for `username` (UsernameField: strip, NFKC)."""
    User = get_user_model()
    name = unicodedata.normalize("NFKC", str(username).strip())
    try:
        return User._default_manager.get_by_natural_key(name)
    except User.DoesNotExist:
        return None


def login_failure_record(*, username, ip: str | None) -> bool:
    """Keep one wrong password for `username`'s account. False: no such account, or full."""
    user = _account(username)
    if user is None:
        return False
    if LoginFailure.objects.filter(user=user)[MAX_KEPT - 1 : MAX_KEPT].exists():
        return False
    client_class, network = classify(ip or "")
    LoginFailure.objects.create(user=user, client_class=client_class, client_network=network)
    return True


def login_failures_take(*, user) -> FailureSummary | None:
    """The wrong passwords since the last login, removed so that they are shown only once."""
    with transaction.atomic():
        rows = list(
            LoginFailure.objects.select_for_update()
            .filter(user=user)
            .order_by("at", "pk")
            .values_list("pk", "at", "client_class", "client_network")
        )
        if not rows:
            return None
        LoginFailure.objects.filter(pk__in=[r[0] for r in rows]).delete()
    counts: dict[tuple[str, str], int] = {}
    for _pk, _at, client_class, network in rows:
        counts[(client_class, network)] = counts.get((client_class, network), 0) + 1
    sources = tuple(
        Source(c, n, k) for (c, n), k in sorted(counts.items(), key=lambda item: -item[1])
    )
    return FailureSummary(len(rows), rows[0][1], rows[-1][1], sources)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _source_text(source: Source) -> str:
    label = LoginFailure.ClientClass(source.client_class).label
    if source.network:
        return ngettext(
            "%(class)s, mạng %(network)s: %(count)s lần",
            "%(class)s, mạng %(network)s: %(count)s lần",
            source.count,
        ) % {"class": label, "network": source.network, "count": source.count}
    return ngettext("%(class)s: %(count)s lần", "%(class)s: %(count)s lần", source.count) % {
        "class": label,
        "count": source.count,
    }


def notice_text(summary: FailureSummary) -> str:
    more = summary.count >= MAX_KEPT
    values = {
        "count": summary.count,
        "first": _when(summary.first_at),
        "last": _when(summary.last_at),
        "sources": "; ".join(_source_text(s) for s in summary.sources),
    }
    if more:
        return (
            _(
                "Có hơn %(count)s lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng "
                "nhập trước (lần đầu lúc %(first)s, lần cuối lúc %(last)s; từ: %(sources)s). "
                "Nếu đó không phải bạn, hãy đổi mật khẩu ngay."
            )
            % values
        )
    return (
        ngettext(
            "Có %(count)s lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng nhập "
            "trước (lúc %(first)s; từ: %(sources)s). Nếu đó không phải bạn, hãy đổi mật "
            "khẩu ngay.",
            "Có %(count)s lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng nhập "
            "trước (lần đầu lúc %(first)s, lần cuối lúc %(last)s; từ: %(sources)s). Nếu đó "
            "không phải bạn, hãy đổi mật khẩu ngay.",
            summary.count,
        )
        % values
    )


def notice_for_session(request) -> str | None:
    """The notice of this session's login, for the account page."""
    data = getattr(request, "session", {}).get(SESSION_KEY)
    if not data:
        return None
    try:
        return notice_text(FailureSummary.from_session(data))
    except (KeyError, TypeError, ValueError):
        return None


@receiver(user_login_failed, dispatch_uid="accounts.loginnotice.failed")
def _on_failure(sender, credentials, request=None, **kwargs):
    if "username" not in credentials:
        return
    if request is not None and getattr(request, "login_refused_by_lock", False):
        return
    login_failure_record(
        username=credentials["username"], ip=client_ip(request) if request is not None else None
    )


@receiver(user_logged_in, dispatch_uid="accounts.loginnotice.logged_in")
def _on_login(sender, request, user, **kwargs):
    summary = login_failures_take(user=user)
    session = getattr(request, "session", None) if request is not None else None
    if session is not None:
        session.pop(SESSION_KEY, None)
    if summary is None or request is None:
        return
    if session is not None:
        session[SESSION_KEY] = summary.as_session()
    messages.warning(request, notice_text(summary), fail_silently=True)
