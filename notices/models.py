"""Notices: the meeting's Giấy mời sent by email, deadline reminders, in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, BlocYear, Unit


class Notification(models.Model):
    """One line of a user's in-app notification list."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Giấy mời")
        REMINDER = "reminder", _("Nhắc hạn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="/"), name="notification_url_is_local"
            )
        ]

    def __str__(self) -> str:
        return self.title


class GuestContact(models.Model):
    """A guest's email, for the Giấy mời (the meeting's guest list has no email column)."""

    guest = models.OneToOneField("meetings.Guest", on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(_("email"))

    class Meta:
        verbose_name = _("email khách mời")
        verbose_name_plural = _("email khách mời")

    def __str__(self) -> str:
        return self.email


class InvitationMailing(models.Model):
    """One sending of a meeting's Giấy mời (a finalized document version) to its recipients."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="invitation_mailings"
    )
    document = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("giấy mời"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lần gửi giấy mời")
        verbose_name_plural = _("lần gửi giấy mời")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.created_at:%d/%m/%Y %H:%M}"


class InvitationRecipient(models.Model):
    mailing = models.ForeignKey(
        InvitationMailing, on_delete=models.CASCADE, related_name="recipients"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("người nhận"), max_length=255)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_guest = models.BooleanField(default=False)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    error = models.CharField(_("lỗi gửi thư"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("người nhận giấy mời")
        verbose_name_plural = _("người nhận giấy mời")
        ordering = ["mailing", "is_guest", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "email"], name="recipient_once_per_mailing")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class ReminderRule(models.Model):
    """How many days before a deadline a bloc's late units are reminded (per bloc)."""

    bloc = models.OneToOneField(Bloc, on_delete=models.CASCADE, related_name="reminder_rule")
    days_before = models.PositiveSmallIntegerField(
        _("nhắc trước hạn (ngày)"),
        default=3,
        help_text=_("Số ngày trước hạn, từ 1 đến 60; ví dụ 3."),
    )
    enabled = models.BooleanField(_("gửi nhắc hạn"), default=True)

    class Meta:
        verbose_name = _("quy định nhắc hạn")
        verbose_name_plural = _("quy định nhắc hạn")
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before__gte=1) & Q(days_before__lte=60),
                name="reminder_days_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bloc}: {self.days_before}"


DEFAULT_DAYS_BEFORE = 3


class ReminderSent(models.Model):
    """A reminder of one deadline to one late unit. Never twice: the unique constraint."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="+")
    deadline_kind = models.CharField(_("thời hạn"), max_length=15)
    due_on = models.DateField(_("hạn"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    emails = models.JSONField(_("gửi tới"), default=list, blank=True)
    error = models.CharField(_("lỗi gửi thư"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nhắc hạn đã gửi")
        verbose_name_plural = _("nhắc hạn đã gửi")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "deadline_kind", "due_on", "unit"],
                name="reminder_never_twice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.deadline_kind} {self.due_on:%d/%m/%Y}"
