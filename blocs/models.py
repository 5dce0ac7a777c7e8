"""The bloc registry: organizers, units and their lineage, blocs, years, members, leaders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


def today() -> dt.date:
    return timezone.localdate()


class Level(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh")
    DISTRICT = "district", _("Huyện")


class Division(models.TextChoices):
    """What a province-level unit is called: tỉnh or thành phố (trực thuộc trung ương)."""

    PROVINCE = "tinh", _("tỉnh")
    CITY = "thanh_pho", _("thành phố")


class Organizer(models.Model):
    """Who organizes blocs: a province (via its Sở Nội vụ) or the central council.

    The fields below hold today's names; earlier names live in OrganizerName. A province
    that merged into another (2025) keeps its row and its history: `merged_into`/`merged_on`
    say who succeeded it and from which day. Read names through `blocs.names`.
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên cơ quan tổ chức"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    province = models.CharField(
        _("tỉnh, thành phố"),
        max_length=100,
        blank=True,
        help_text=_("Để trống với cấp Trung ương."),
    )
    division = models.CharField(
        _("loại đơn vị hành chính"),
        max_length=10,
        choices=Division.choices,
        blank=True,
        default=Division.PROVINCE,
        help_text=_("Tỉnh hay thành phố trực thuộc trung ương; để trống với cấp Trung ương."),
    )
    official_code = models.CharField(
        _("mã tỉnh (danh mục từ 01/07/2025)"),
        max_length=3,
        blank=True,
        help_text=_(
            "Mã của Cục Thống kê trong danh mục 34 tỉnh, thành phố; để trống nếu đã hợp nhất."
        ),
    )
    legacy_code = models.CharField(
        _("mã tỉnh (danh mục 63 tỉnh, trước 01/07/2025)"), max_length=3, blank=True
    )
    place_name = models.CharField(
        _("địa danh ghi trên văn bản"), max_length=100, help_text=_("Ví dụ: Bắc Ninh, Hà Nội.")
    )
    office_name = models.CharField(
        _("cơ quan thường trực thi đua"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Sở Nội vụ tỉnh Bắc Ninh."),
    )
    proposal_deadline_day = models.PositiveSmallIntegerField(
        _("hạn gửi tờ trình: ngày"), default=10
    )
    proposal_deadline_month = models.PositiveSmallIntegerField(
        _("hạn gửi tờ trình: tháng"), default=12
    )
    proposal_deadline_basis = models.CharField(
        _("căn cứ hạn gửi tờ trình"), max_length=200, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)
    merge_basis = models.CharField(
        _("căn cứ hợp nhất"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội."),
    )

    class Meta:
        verbose_name = _("cơ quan tổ chức")
        verbose_name_plural = _("cơ quan tổ chức")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal_deadline_day__gte=1, proposal_deadline_day__lte=31)
                & Q(proposal_deadline_month__gte=1, proposal_deadline_month__lte=12),
                name="organizer_deadline_valid",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                name="organizer_merge_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="organizer_not_merged_into_self"
            ),
            models.UniqueConstraint(
                fields=["official_code"],
                condition=~Q(official_code=""),
                name="organizer_official_code_unique",
            ),
            models.UniqueConstraint(
                fields=["legacy_code"],
                condition=~Q(legacy_code=""),
                name="organizer_legacy_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def record_on(self, date: dt.date) -> OrganizerName | None:
        """The former-names record valid on `date`, or None when today's names apply.

        Uses prefetched `former_names` when present."""
        return _record_on(self.former_names.all(), date)

    def title_on(self, date: dt.date) -> str:
        """«tỉnh Hà Giang», «thành phố Cần Thơ»; the organizer's name at central level."""
        record = self.record_on(date)
        province = record.province if record else self.province
        division = record.division if record else self.division
        if not province:
            return record.name if record else self.name
        return f"{Division(division).label if division else Division.PROVINCE.label} {province}"

    def is_defunct_on(self, date: dt.date) -> bool:
        return (
            self.merged_into_id is not None
            and self.merged_on is not None
            and date >= self.merged_on
        )

    def defunct_message(self) -> str:
        """«Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025»."""
        before = self.merged_on - dt.timedelta(days=1)
        return str(
            _("%(old)s đã hợp nhất vào %(new)s từ %(date)s")
            % {
                "old": capfirst(self.title_on(before)),
                "new": self.merged_into.title_on(self.merged_on),
                "date": self.merged_on.strftime("%d/%m/%Y"),
            }
        )

    def ensure_active_on(self, date: dt.date, field: str | None = None) -> None:
        """Refuse anything new for a province that no longer exists on `date`."""
        if self.is_defunct_on(date):
            message = self.defunct_message()
            raise ValidationError({field: message} if field else message)


class OrganizerName(models.Model):
    """The names an organizer (and its standing office) had before a change, valid until
    (not including) `valid_until`."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("tên cũ"), max_length=200)
    office_name = models.CharField(_("cơ quan thường trực thi đua"), max_length=200, blank=True)
    place_name = models.CharField(_("địa danh ghi trên văn bản"), max_length=100, blank=True)
    province = models.CharField(_("tỉnh, thành phố"), max_length=100, blank=True)
    division = models.CharField(
        _("loại đơn vị hành chính"), max_length=10, choices=Division.choices, blank=True
    )
    valid_from = models.DateField(_("dùng từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("dùng đến trước ngày"))
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tên cũ của cơ quan tổ chức")
        verbose_name_plural = _("tên cũ của cơ quan tổ chức")
        ordering = ["organizer", "valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "valid_until"], name="organizername_unique_until"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (đến {self.valid_until:%d/%m/%Y})"


class OrganizerMerger(models.Model):
    """The merger of one organizer (a province) into another on a date, as one reviewed operation.

    Recording it (status «chờ xác nhận») marks the source organizer as merged from the date:
    from then on it offers no new years, imports or documents. Confirming it records, for each
    of its units and blocs, the counterpart chosen by the operator (lineage events dated at the
    merger); nothing is deleted.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    source = models.OneToOneField(
        Organizer,
        verbose_name=_("cơ quan tổ chức được hợp nhất"),
        on_delete=models.PROTECT,
        related_name="merger",
    )
    target = models.ForeignKey(
        Organizer,
        verbose_name=_("cơ quan tổ chức tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="absorbed_mergers",
    )
    effective_date = models.DateField(_("ngày hợp nhất"))
    basis = models.CharField(
        _("căn cứ"),
        max_length=255,
        help_text=_("Ví dụ: Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hợp nhất cơ quan tổ chức")
        verbose_name_plural = _("hợp nhất cơ quan tổ chức")
        ordering = ["-effective_date", "source__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="merger_not_into_self"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(confirmed_at__isnull=False),
                name="merger_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.effective_date:%d/%m/%Y})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


def _record_on(records, date: dt.date):
    """The dated record valid on `date` among `records` (each valid [valid_from, valid_until))."""
    for record in sorted(records, key=lambda r: r.valid_until):
        if date < record.valid_until and (record.valid_from is None or date >= record.valid_from):
            return record
    return None


class NamedOverTime:
    """Names as of a date, for a model with `name`, `short_name` and dated `former_names`
    (records valid [valid_from, valid_until)): Unit and Bloc. Uses prefetched former_names
    when present."""

    def name_on(self, date: dt.date) -> str:
        """The name on `date`."""
        record = _record_on(self.former_names.all(), date)
        return record.name if record else self.name

    def short_name_on(self, date: dt.date) -> str:
        record = _record_on(self.former_names.all(), date)
        return record.short_name if record else self.short_name

    def name_in_year(self, year: int) -> str:
        """The name a year shows (`year_reference_date`)."""
        return self.name_on(year_reference_date(year))


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def members_of(self, bloc_year, on: dt.date | None = None):
        """The one definition of "the member units of a year": units with a membership of
        `bloc_year`; with `on`, only those whose membership is in force that day
        (`Membership.objects.active_on`)."""
        memberships = Membership.objects.filter(bloc_year=bloc_year)
        if on is not None:
            memberships = memberships.active_on(on)
        return self.filter(memberships__in=memberships)


class Unit(NamedOverTime, models.Model):
    """A member agency (đơn vị thành viên). Its current name lives here, older names in UnitName."""

    organizer = models.ForeignKey(
        Organizer, verbose_name=_("cơ quan tổ chức"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.SlugField(_("mã đơn vị"), max_length=60)
    name = models.CharField(_("tên hiện nay"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    head_title = models.CharField(
        _("chức danh thủ trưởng"),
        max_length=120,
        blank=True,
        help_text=_("Ví dụ: Chánh Thanh tra."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_on = models.DateField(_("ngày hợp nhất"), null=True, blank=True)
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("tách ra từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="split_into",
    )
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "code"], name="unit_code_unique"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                name="unit_merge_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="unit_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def year_reference_date(year: int) -> dt.date:
    """The day whose names a year shows: its last day, or today for the running year."""
    return min(dt.date(year, 12, 31), max(today(), dt.date(year, 1, 1)))


class UnitName(models.Model):
    """A name a unit had before a rename, valid until (not including) `valid_until`."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("tên cũ"), max_length=255)
    short_name = models.CharField(_("tên viết tắt cũ"), max_length=80, blank=True)
    valid_from = models.DateField(_("dùng từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("dùng đến trước ngày"))

    class Meta:
        verbose_name = _("tên cũ của đơn vị")
        verbose_name_plural = _("tên cũ của đơn vị")
        ordering = ["unit", "valid_until"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_until"], name="unitname_unique_until"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (đến {self.valid_until:%d/%m/%Y})"


class UnitEvent(models.Model):
    """The lineage of a unit: created, renamed, merged, split, archived, with effective date."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Thành lập / đưa vào danh mục")
        RENAMED = "renamed", _("Đổi tên")
        MERGED = "merged", _("Hợp nhất vào đơn vị khác")
        ABSORBED = "absorbed", _("Tiếp nhận đơn vị hợp nhất")
        SPLIT = "split", _("Tách ra từ đơn vị khác")
        ARCHIVED = "archived", _("Lưu trữ")
        RESTORED = "restored", _("Khôi phục")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("loại sự kiện"), max_length=12, choices=Kind.choices)
    effective_date = models.DateField(_("ngày hiệu lực"))
    other_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_name = models.CharField(_("tên trước"), max_length=255, blank=True)
    new_name = models.CharField(_("tên sau"), max_length=255, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử đơn vị")
        verbose_name_plural = _("lịch sử đơn vị")
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_kind_display()} ({self.effective_date:%d/%m/%Y})"

    @classmethod
    def merge_pair(cls, *, unit, into, day: dt.date, basis: str, user) -> list[UnitEvent]:
        """The two events of a merger, unsaved: `unit` MERGED into `into`, `into` ABSORBED it."""
        common = {"effective_date": day, "basis": basis, "recorded_by": user}
        return [
            cls(unit=unit, kind=cls.Kind.MERGED, other_unit=into, **common),
            cls(unit=into, kind=cls.Kind.ABSORBED, other_unit=unit, **common),
        ]


class Bloc(NamedOverTime, models.Model):
    """A khối or cụm thi đua, with its per-bloc rules."""

    class Kind(models.TextChoices):
        KHOI = "khoi", _("Khối thi đua")
        CUM = "cum", _("Cụm thi đua")

    class RotationPolicy(models.TextChoices):
        DEPUTY_PROMOTED = "deputy_promoted", _("Khối phó năm trước lên Khối trưởng")
        ORDER = "order", _("Lần lượt theo thứ tự luân phiên")

    organizer = models.ForeignKey(
        Organizer, verbose_name=_("cơ quan tổ chức"), on_delete=models.PROTECT, related_name="blocs"
    )
    code = models.SlugField(_("mã khối"), max_length=60)
    name = models.CharField(_("tên khối"), max_length=255)
    short_name = models.CharField(
        _("ký hiệu viết tắt"),
        max_length=30,
        blank=True,
        help_text=_("Dùng trong số văn bản, ví dụ KNC."),
    )
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices, default=Kind.KHOI)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    description = models.TextField(_("ghi chú"), blank=True)
    quorum_numerator = models.PositiveSmallIntegerField(_("túc số: tử số"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("túc số: mẫu số"), default=3)
    quorum_basis = models.CharField(
        _("căn cứ túc số"), max_length=255, blank=True, default="Quy chế hoạt động của Khối"
    )
    rotation_policy = models.CharField(
        _("cách luân phiên"),
        max_length=20,
        choices=RotationPolicy.choices,
        default=RotationPolicy.DEPUTY_PROMOTED,
    )
    max_vote_rounds = models.PositiveSmallIntegerField(
        _("số vòng bỏ phiếu tối đa"),
        default=2,
        help_text=_("Sau vòng cuối mà vẫn bằng phiếu, quy chế của khối quyết định."),
    )
    tie_break_rule = models.CharField(
        _("khi vẫn bằng phiếu sau vòng cuối"),
        max_length=10,
        choices=[
            ("leaders", _("Khối trưởng và Khối phó quyết định")),
            ("chair", _("Chủ trì hội nghị quyết định")),
        ],
        default="leaders",
    )
    voting_basis = models.CharField(
        _("căn cứ nguyên tắc biểu quyết"),
        max_length=255,
        blank=True,
        default="Quy chế hoạt động của Khối",
        help_text=_("Ví dụ: Quy chế hoạt động của Khối; TT 01/2024/TT-TANDTC."),
    )
    # Secret-ballot rules (meetings, issue 9): copied into each new poll, printed in the minutes.
    blank_ballot_valid = models.BooleanField(
        _("phiếu trắng được tính là phiếu hợp lệ"),
        default=True,
        help_text=_("Bỏ chọn nếu quy chế của khối coi phiếu trắng là phiếu không hợp lệ."),
    )
    blank_ballot_basis = models.CharField(
        _("căn cứ về phiếu trắng"),
        max_length=255,
        blank=True,
        default="Quy chế hoạt động của Khối",
    )
    runoff_rule = models.CharField(
        _("khi còn suất chưa có đơn vị đạt ngưỡng, bầu lại giữa"),
        max_length=12,
        choices=[
            ("top_double", _("các đơn vị dẫn đầu, gấp đôi số suất còn trống")),
            ("tied_top", _("các đơn vị cùng có số phiếu cao nhất")),
            ("all", _("tất cả đơn vị chưa trúng cử / chưa được suy tôn")),
        ],
        default="top_double",
    )
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khối thi đua")
        verbose_name_plural = _("khối thi đua")
        ordering = ["organizer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organizer", "code"], name="bloc_code_unique"),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__gte=1)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="bloc_quorum_fraction_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_vote_rounds__gte=1) & Q(max_vote_rounds__lte=10),
                name="bloc_vote_rounds_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def leader_label(self) -> str:
        return str(_("Cụm trưởng") if self.kind == self.Kind.CUM else _("Khối trưởng"))

    @property
    def deputy_label(self) -> str:
        return str(_("Cụm phó") if self.kind == self.Kind.CUM else _("Khối phó"))

    def quorum_needed(self, member_count: int) -> int:
        """Smallest number of present units that reaches the quorum fraction."""
        num, den = self.quorum_numerator, self.quorum_denominator
        return -(-member_count * num // den)  # ceil


class BlocName(models.Model):
    """A name a bloc had before a change, valid until (not including) `valid_until`."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("tên cũ"), max_length=255)
    short_name = models.CharField(_("ký hiệu viết tắt cũ"), max_length=30, blank=True)
    valid_from = models.DateField(_("dùng từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("dùng đến trước ngày"))
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tên cũ của khối")
        verbose_name_plural = _("tên cũ của khối")
        ordering = ["bloc", "valid_until"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "valid_until"], name="blocname_unique_until"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (đến {self.valid_until:%d/%m/%Y})"


class BlocSuccession(models.Model):
    """A bloc continued by another from a date (re-formed, or rebuilt after a province merger).

    A bloc may have several predecessors (two provinces merged) and several successors (split).
    """

    predecessor = models.ForeignKey(
        Bloc,
        verbose_name=_("khối tiền thân"),
        on_delete=models.PROTECT,
        related_name="successions",
    )
    successor = models.ForeignKey(
        Bloc,
        verbose_name=_("khối kế tục"),
        on_delete=models.PROTECT,
        related_name="predecessions",
    )
    effective_date = models.DateField(_("từ ngày"))
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khối tiền thân / kế tục")
        verbose_name_plural = _("khối tiền thân / kế tục")
        ordering = ["effective_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="blocsuccession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="blocsuccession_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class BlocYearQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class BlocYear(models.Model):
    """A bloc's year (năm thi đua). Members, leaders and everything yearly hang off it."""

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("khối thi đua"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    plan_reference = models.CharField(
        _("kế hoạch"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: Kế hoạch số 238/KH-KNC ngày 02/3/2022"),
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlocYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("năm thi đua")
        verbose_name_plural = _("năm thi đua")
        ordering = ["bloc", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="blocyear_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1945) & Q(year__lte=2200), name="blocyear_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} – {self.year}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def reference_date(self) -> dt.date:
        """The day whose names this year shows: the year's last day (today while it runs),
        and never after the day before the bloc's province merged away."""
        day = year_reference_date(self.year)
        organizer = self.bloc.organizer
        if organizer.is_defunct_on(day):
            day = max(organizer.merged_on - dt.timedelta(days=1), dt.date(self.year, 1, 1))
        return day

    def term(self, role: str) -> LeadershipTerm | None:
        """The leadership term for a role; uses prefetched `terms` when present."""
        for term in self.terms.all():
            if term.role == role:
                return term
        return None

    @property
    def leader_term(self) -> LeadershipTerm | None:
        return self.term(LeadershipTerm.Role.LEADER)

    @property
    def deputy_term(self) -> LeadershipTerm | None:
        return self.term(LeadershipTerm.Role.DEPUTY)


class MembershipQuerySet(models.QuerySet):
    def active_on(self, date: dt.date):
        """Memberships in force on `date` (joined on or before it, not yet left)."""
        return self.filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=date),
            Q(left_on__isnull=True) | Q(left_on__gte=date),
        )


class Membership(models.Model):
    """A unit's membership of a bloc in one year, optionally for part of the year."""

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField(_("tham gia từ ngày"), null=True, blank=True)
    left_on = models.DateField(_("rời khối ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị thành viên")
        verbose_name_plural = _("đơn vị thành viên")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True)
                | Q(left_on__isnull=True)
                | Q(joined_on__lte=models.F("left_on")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.bloc_year}"

    def clean(self):
        if self.joined_on and self.left_on and self.joined_on > self.left_on:
            raise ValidationError({"left_on": _("Ngày rời khối phải sau ngày tham gia.")})
        year = self.bloc_year.year if self.bloc_year_id else None
        for field in ("joined_on", "left_on"):
            value = getattr(self, field)
            if year and value and value.year != year:
                raise ValidationError(
                    {field: _("Ngày phải nằm trong năm %(year)s.") % {"year": year}}
                )

    def active_on(self, date: dt.date) -> bool:
        return (self.joined_on is None or self.joined_on <= date) and (
            self.left_on is None or date <= self.left_on
        )


class LeadershipTerm(models.Model):
    """The leader (Khối trưởng) or deputy (Khối phó) unit of a bloc-year."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Khối trưởng")
        DEPUTY = "deputy", _("Khối phó")

    class Method(models.TextChoices):
        ROTATION = "rotation", _("Luân phiên theo kế hoạch")
        APPOINTED = "appointed", _("Phân công")
        OVERRIDE = "override", _("Điều chỉnh khác đề xuất luân phiên")
        ELECTED = "elected", _("Bầu tại hội nghị")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="terms"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="leadership_terms"
    )
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("lý do / căn cứ"), blank=True)
    proposed_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị được đề xuất luân phiên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    elected_at_label = models.CharField(_("bầu tại"), max_length=255, blank=True)
    elected_at_url = models.CharField(max_length=255, blank=True)
    elected_on = models.DateField(_("ngày bầu"), null=True, blank=True)
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    rotating_flag_handed_over = models.BooleanField(_("đã bàn giao Cờ luân lưu"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Khối trưởng / Khối phó")
        verbose_name_plural = _("Khối trưởng / Khối phó")
        ordering = ["bloc_year", "role"]
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "role"], name="term_one_per_role"),
            # One unit cannot be both Khối trưởng and Khối phó of a year.
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="term_one_role_per_unit"),
            models.CheckConstraint(
                condition=~Q(method="override") | ~Q(reason=""), name="term_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.bloc_year}: {self.unit}"

    def role_label(self) -> str:
        bloc = self.bloc_year.bloc
        return bloc.leader_label if self.role == self.Role.LEADER else bloc.deputy_label

    def source_label(self) -> str:
        if self.method == self.Method.ELECTED:
            label = _("Bầu tại %(meeting)s") % {"meeting": self.elected_at_label or _("hội nghị")}
            return str(label)
        if self.status == self.Status.PROPOSED:
            return str(_("Đề xuất (luân phiên)"))
        return str(self.get_method_display())


class RotationSlot(models.Model):
    """One position in a bloc's rotation order."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="rotation_slots")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("thứ tự luân phiên")
        verbose_name_plural = _("thứ tự luân phiên")
        ordering = ["bloc", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "position"], name="rotation_position_unique"),
            models.UniqueConstraint(fields=["bloc", "unit"], name="rotation_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.unit}"


class RoleAssignment(models.Model):
    """What a user may do: office staff of an organizer, secretary of a bloc, delegate of a unit."""

    class Role(models.TextChoices):
        OFFICE = "office", _("Cán bộ Ban Thi đua – Khen thưởng")
        SECRETARY = "secretary", _("Thư ký khối")
        DELEGATE = "delegate", _("Đại biểu đơn vị")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    organizer = models.ForeignKey(
        Organizer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    bloc = models.ForeignKey(
        Bloc, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="office", organizer__isnull=False, bloc__isnull=True, unit__isnull=True)
                    | Q(
                        role="secretary",
                        organizer__isnull=True,
                        bloc__isnull=False,
                        unit__isnull=True,
                    )
                    | Q(
                        role="delegate",
                        organizer__isnull=True,
                        bloc__isnull=True,
                        unit__isnull=False,
                    )
                ),
                name="roleassignment_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "organizer"],
                condition=Q(role="office"),
                name="roleassignment_office_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "bloc"],
                condition=Q(role="secretary"),
                name="roleassignment_secretary_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "unit"],
                condition=Q(role="delegate"),
                name="roleassignment_delegate_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.organizer or self.bloc or self.unit
        return f"{self.user} – {self.get_role_display()} – {scope}"


class AuditEvent(models.Model):
    """Who changed what and when. Never holds ballot contents."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    summary = models.CharField(_("nội dung"), max_length=500)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.summary}"
