"""Invitations: a one-time link, sent by email, with which a new account sets its password.

The link carries the invitation's id and an HMAC of (id, nonce) under SECRET_KEY: the database
holds no usable token, and the background worker that sends the mail can rebuild it. An
invitation is used once (used_at), replaced by a newer one (revoked_at) and expires.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

TOKEN_SALT = "accounts.Invitation"


def new_nonce() -> str:
    return secrets.token_hex(16)


class Invitation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    email = models.EmailField(_("gửi tới"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người mời"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    send_error = models.CharField(_("lỗi gửi thư"), max_length=500, blank=True)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư mời")
        verbose_name_plural = _("thư mời")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one usable invitation per account: a new one replaces the old.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def token(self) -> str:
        return salted_hmac(TOKEN_SALT, f"{self.pk}:{self.nonce}", algorithm="sha256").hexdigest()[
            :40
        ]

    def token_matches(self, token: str) -> bool:
        return constant_time_compare(self.token, token or "")

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and timezone.now() < self.expires_at

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if timezone.now() >= self.expires_at:
            return "expired"
        if self.send_error:
            return "failed"
        if self.sent_at:
            return "sent"
        return "pending"

    @property
    def state_label(self) -> str:
        return str(
            {
                "used": _("Đã kích hoạt"),
                "revoked": _("Đã thay bằng thư mời mới"),
                "expired": _("Hết hạn"),
                "failed": _("Gửi lỗi"),
                "sent": _("Đã gửi, chờ kích hoạt"),
                "pending": _("Đang chờ gửi"),
            }[self.state]
        )


class LoginFailure(models.Model):
    """One wrong password checked for an account (not the attempts refused by a lock).

    Kept until the account's next successful login, which shows them once as a notice and
    deletes them. Only the class and the network of the client address are kept, not the
    address itself."""

    class ClientClass(models.TextChoices):
        INTERNET = "internet", _("Internet")
        PRIVATE = "private", _("mạng nội bộ")
        LOOPBACK = "loopback", _("chính máy chủ")
        UNKNOWN = "unknown", _("địa chỉ không rõ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    client_class = models.CharField(_("loại địa chỉ"), max_length=10, choices=ClientClass)
    client_network = models.CharField(_("mạng"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("lần đăng nhập sai")
        verbose_name_plural = _("lần đăng nhập sai")
        indexes = [models.Index(fields=["user", "at"], name="loginfailure_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} – {self.at:%d/%m/%Y %H:%M}"
