"""Meetings of a bloc-year. The meetings issue extends this with attendance, polls and ballots."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now):
        return self.filter(starts_at__gte=now).order_by("starts_at")


class Meeting(models.Model):
    class Kind(models.TextChoices):
        COVENANT = "covenant", _("Ký kết giao ước, phát động thi đua")
        MIDYEAR = "midyear", _("Sơ kết 6 tháng")
        YEAREND = "yearend", _("Tổng kết năm")
        OTHER = "other", _("Hội nghị khác")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("loại hội nghị"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("tên hội nghị"), max_length=255)
    starts_at = models.DateTimeField(_("thời gian bắt đầu"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    host_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị đăng cai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d/%m/%Y})"
