"""What the law requires a document to state, as dated records:

- LegalText: the legal basis (căn cứ) with its number, date, issuer, title and the period it is
  in force; a document cites the texts in force on its own date (`legal.texts.in_force`);
- UnitHead: who heads a member unit, and what that office is called, over a period;
- BlocSigner: who signs for the bloc (TM. Khối …) in a year, as the leader's or the deputy's
  representative.

Meetings, awards and documents read these through `legal.texts` and `legal.people`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Organizer, Unit

from .formats import nd30_date_text, short_date


class LegalText(models.Model):
    class Kind(models.TextChoices):
        LAW = "law", _("Luật")
        DECREE = "decree", _("Nghị định")
        CIRCULAR = "circular", _("Thông tư")
        DECISION = "decision", _("Quyết định")
        OTHER = "other", _("Văn bản khác")

    kind = models.CharField(_("loại văn bản"), max_length=10, choices=Kind.choices)
    number = models.CharField(
        _("số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 06/2022/QH15, 152/2025/NĐ-CP.")
    )
    title = models.CharField(
        _("tên hoặc trích yếu"),
        max_length=500,
        help_text=_(
            "Với luật: tên luật («Luật Thi đua, khen thưởng»). Với văn bản khác: trích yếu "
            "(«quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng»)."
        ),
    )
    issuer = models.CharField(
        _("cơ quan, người ban hành"),
        max_length=200,
        help_text=_("Ví dụ: Quốc hội, Chính phủ, Bộ trưởng Bộ Nội vụ, UBND tỉnh Bắc Ninh."),
    )
    signed_on = models.DateField(
        _("ngày ban hành"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu chưa đối chiếu được: văn bản được trích dẫn không ghi ngày."),
    )
    effective_from = models.DateField(_("có hiệu lực từ ngày"))
    effective_until = models.DateField(
        _("hiệu lực đến hết ngày"),
        null=True,
        blank=True,
        help_text=_("Ngày cuối cùng văn bản còn hiệu lực; để trống nếu đang có hiệu lực."),
    )
    organizer = models.ForeignKey(
        Organizer,
        verbose_name=_("phạm vi áp dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_texts",
        help_text=_("Để trống với văn bản áp dụng toàn quốc."),
    )
    position = models.PositiveSmallIntegerField(
        _("thứ tự trích dẫn"),
        default=50,
        help_text=_("Luật trước (10), nghị định (20), thông tư (30), văn bản của tỉnh (40)."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    source = models.TextField(
        _("nguồn đối chiếu"), blank=True, help_text=_("Nơi đã kiểm tra số, ngày và hiệu lực.")
    )
    verified = models.BooleanField(
        _("đã đối chiếu ngày hiệu lực với văn bản gốc"),
        default=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản căn cứ")
        verbose_name_plural = _("văn bản căn cứ")
        ordering = ["position", "effective_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="legaltext_period_valid",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày có hiệu lực."),
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | Q(signed_on__lte=F("effective_from")),
                name="legaltext_signed_before_effect",
                violation_error_message=_("Ngày ban hành không thể sau ngày có hiệu lực."),
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(organizer__isnull=True),
                name="legaltext_national_number_unique",
                violation_error_message=_("Đã có văn bản áp dụng toàn quốc mang số này."),
            ),
            models.UniqueConstraint(
                fields=["organizer", "number"],
                condition=Q(organizer__isnull=False),
                name="legaltext_local_number_unique",
                violation_error_message=_("Tỉnh này đã có văn bản mang số này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )

    @property
    def citation(self) -> str:
        """How a document cites it after «Căn cứ»: «Luật Thi đua, khen thưởng số 06/2022/QH15
        ngày 15 tháng 6 năm 2022», «Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của
        Chính phủ quy định …». Without a verified date, the date is left out."""
        date = f" {nd30_date_text(self.signed_on)}" if self.signed_on else ""
        if self.kind == self.Kind.LAW:
            return f"{self.title} số {self.number}{date}"
        head = f"{self.get_kind_display()} số {self.number}{date} của {self.issuer}"
        return f"{head} {self.title}".strip()

    @property
    def period_label(self) -> str:
        if self.effective_until:
            return gettext("từ %(start)s đến hết %(end)s") % {
                "start": short_date(self.effective_from),
                "end": short_date(self.effective_until),
            }
        return gettext("từ %(start)s") % {"start": short_date(self.effective_from)}


class UnitHead(models.Model):
    """The head of a unit over a period, with the title of that office in that period.

    The name may be empty: the title is known (e.g. «Cục trưởng» before the 2025 rename) but
    nobody is recorded; a document then asks for the name before it can be finalized."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="heads"
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    title = models.CharField(
        _("chức vụ"), max_length=200, help_text=_("Ví dụ: Chánh Thanh tra tỉnh.")
    )
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến hết ngày"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thủ trưởng đơn vị")
        verbose_name_plural = _("thủ trưởng đơn vị")
        ordering = ["unit", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="unithead_period_valid",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.full_name}".strip()

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class BlocSigner(models.Model):
    """Who signs for the bloc in a year (TM. Khối … / KHỐI TRƯỞNG): the representative of the
    leader (or deputy) unit. Without one, the head of the leader unit signs."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Khối trưởng")
        DEPUTY = "deputy", _("Khối phó")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="signers"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Đơn vị Khối trưởng (Khối phó) năm đó."),
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    title = models.CharField(
        _("chức vụ"), max_length=200, help_text=_("Ví dụ: Phó Chánh án Tòa án nhân dân tỉnh.")
    )
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến hết ngày"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người ký thay mặt khối")
        verbose_name_plural = _("người ký thay mặt khối")
        ordering = ["bloc_year", "role", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="blocsigner_period_valid",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.full_name}, {self.title}"

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )
