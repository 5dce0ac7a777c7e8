"""Covenants, registration, scoring, award titles, nominations and awards.

The foundation defines the award catalog, nominations and awards, because the meetings app
votes on nominations and sends winners back through `awards.services`. The awards issue adds
covenants, registration, criteria and scores around them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Level, Organizer, Unit


class AwardTitle(models.Model):
    """A title or form of award the law defines (Cờ thi đua, Bằng khen, ...)."""

    class Recipient(models.TextChoices):
        COLLECTIVE = "collective", _("Tập thể")
        INDIVIDUAL = "individual", _("Cá nhân")
        BOTH = "both", _("Tập thể và cá nhân")

    class Kind(models.TextChoices):
        TITLE = "title", _("Danh hiệu thi đua")
        FORM = "form", _("Hình thức khen thưởng")

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.FORM)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    recipient = models.CharField(
        _("đối tượng"), max_length=12, choices=Recipient.choices, default=Recipient.COLLECTIVE
    )
    voting_required = models.BooleanField(_("bắt buộc bình xét, bỏ phiếu"), default=False)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    prize_coefficient = models.DecimalField(
        _("mức tiền thưởng (× lương cơ sở)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    organizer = models.ForeignKey(
        Organizer,
        verbose_name=_("bổ sung bởi cơ quan tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_titles",
        help_text=_("Để trống với danh hiệu, hình thức do pháp luật quy định chung."),
    )
    rank = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=100)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    """A candidate (unit, or person of a unit) for an award title in a bloc-year."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Đề cử")
        WITHDRAWN = "withdrawn", _("Rút khỏi danh sách")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="nominations"
    )
    award_title = models.ForeignKey(
        AwardTitle, verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="nominations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="nominations"
    )
    person_name = models.CharField(_("họ và tên (cá nhân)"), max_length=200, blank=True)
    person_position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    rank = models.PositiveSmallIntegerField(_("thứ hạng khi đề cử"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    reason = models.TextField(_("lý do thay đổi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đề cử")
        verbose_name_plural = _("đề cử")
        ordering = ["bloc_year", "award_title", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_title", "unit", "person_name"], name="nomination_unique"
            ),
        ]

    def __str__(self) -> str:
        who = f"{self.person_name} ({self.unit})" if self.person_name else str(self.unit)
        return f"{self.award_title}: {who}"


class Award(models.Model):
    """An award: proposed by a vote (or by the office), final once the decision is recorded."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề nghị")
        FINAL = "final", _("Đã có quyết định")
        REJECTED = "rejected", _("Không được công nhận")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.PROTECT, related_name="awards"
    )
    award_title = models.ForeignKey(
        AwardTitle, verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="awards"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="awards")
    person_name = models.CharField(_("họ và tên (cá nhân)"), max_length=200, blank=True)
    person_position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    source_label = models.CharField(
        _("căn cứ đề nghị"), max_length=255, blank=True, help_text=_("Ví dụ: kết quả biểu quyết tại hội nghị …")
    )
    source_url = models.CharField(max_length=255, blank=True)
    proposed_on = models.DateField(_("ngày đề nghị"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_issuer = models.CharField(_("cơ quan, người ký quyết định"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["bloc_year", "award_title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_title", "unit", "person_name"], name="award_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="final") | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="award_final_has_decision",
            ),
        ]

    def __str__(self) -> str:
        who = f"{self.person_name} ({self.unit})" if self.person_name else str(self.unit)
        return f"{self.award_title} {self.bloc_year.year}: {who}"
