"""What the hall screen (màn hình trình chiếu) of a meeting shows, set by the secretary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreenState(models.Model):
    """One row per meeting. A removed agenda item or poll leaves its field empty (SET_NULL): the
    screen then shows the welcome view rather than failing in the middle of the meeting."""

    class View(models.TextChoices):
        WELCOME = "welcome", _("Chào mừng: tên, thời gian, địa điểm hội nghị")
        ATTENDANCE = "attendance", _("Điểm danh và túc số")
        AGENDA = "agenda", _("Nội dung chương trình đang thực hiện")
        POLL = "poll", _("Biểu quyết")

    meeting = models.OneToOneField(
        "meetings.Meeting", primary_key=True, on_delete=models.CASCADE, related_name="screen"
    )
    active = models.BooleanField(_("đang chiếu"), default=False)
    view = models.CharField(
        _("đang chiếu"), max_length=12, choices=View.choices, default=View.WELCOME
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poll = models.ForeignKey(
        "meetings.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("màn hình trình chiếu")
        verbose_name_plural = _("màn hình trình chiếu")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_view_display()}"
