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


class AwardTitleQuerySet(models.QuerySet):
    def for_organizer(self, organizer_id: int):
        """The legal catalog plus the additions of one organizer."""
        return self.filter(Q(organizer__isnull=True) | Q(organizer_id=organizer_id), active=True)


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
    prize_basis = models.CharField(_("căn cứ mức tiền thưởng"), max_length=255, blank=True)
    effective_from = models.DateField(_("áp dụng từ ngày"), null=True, blank=True)
    effective_until = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)

    objects = AwardTitleQuerySet.as_manager()

    class Meta:
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def for_individuals(self) -> bool:
        return self.recipient in (self.Recipient.INDIVIDUAL, self.Recipient.BOTH)

    @property
    def for_collectives(self) -> bool:
        return self.recipient in (self.Recipient.COLLECTIVE, self.Recipient.BOTH)


class Person(models.Model):
    """An individual who may receive an award. A person belongs to a unit."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Nữ")
        MALE = "male", _("Nam")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="people"
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    position = models.CharField(_("chức vụ, cấp bậc"), max_length=200, blank=True)
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cá nhân")
        verbose_name_plural = _("cá nhân")
        ordering = ["unit", "full_name", "id"]
        indexes = [models.Index(fields=["unit", "full_name"])]

    def __str__(self) -> str:
        return self.full_name


class AwardQuota(models.Model):
    """How many of one title a bloc may propose in a year, and who is eligible."""

    class Eligibility(models.TextChoices):
        ANY = "any", _("Mọi đơn vị thành viên")
        REGISTERED = "registered", _("Đơn vị đã đăng ký danh hiệu")
        TOP_N = "top_n", _("Đơn vị xếp hạng trong N vị trí đầu")
        REGISTERED_TOP_N = "registered_top_n", _("Đã đăng ký và xếp hạng trong N vị trí đầu")

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="award_quotas",
    )
    award_title = models.ForeignKey(
        AwardTitle, verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="quotas"
    )
    max_count = models.PositiveSmallIntegerField(_("số tập thể tối đa"))
    max_individuals = models.PositiveSmallIntegerField(
        _("số cá nhân tối đa"), null=True, blank=True, help_text=_("Để trống nếu không giới hạn.")
    )
    eligibility = models.CharField(
        _("điều kiện đề cử"), max_length=20, choices=Eligibility.choices, default=Eligibility.ANY
    )
    top_n = models.PositiveSmallIntegerField(_("N (xếp hạng)"), null=True, blank=True)
    basis = models.CharField(
        _("căn cứ"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: Quy chế hoạt động của Khối, Điều …"),
    )

    class Meta:
        verbose_name = _("chỉ tiêu khen thưởng")
        verbose_name_plural = _("chỉ tiêu khen thưởng")
        ordering = ["bloc_year", "award_title__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_title"], name="quota_one_per_title"
            ),
            models.CheckConstraint(
                condition=Q(eligibility__in=["any", "registered"]) | Q(top_n__gte=1),
                name="quota_top_n_needs_n",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_title}: {self.max_count}"

    @property
    def needs_ranking(self) -> bool:
        return self.eligibility in (self.Eligibility.TOP_N, self.Eligibility.REGISTERED_TOP_N)

    @property
    def needs_registration(self) -> bool:
        return self.eligibility in (self.Eligibility.REGISTERED, self.Eligibility.REGISTERED_TOP_N)


class Nomination(models.Model):
    """A candidate (unit, or person of a unit) for an award title in a bloc-year."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Đề cử")
        WITHDRAWN = "withdrawn", _("Rút khỏi danh sách")

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="nominations",
    )
    award_title = models.ForeignKey(
        AwardTitle,
        verbose_name=_("danh hiệu"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="nominations"
    )
    person_name = models.CharField(_("họ và tên (cá nhân)"), max_length=200, blank=True)
    person_position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
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
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="awards"
    )
    person_name = models.CharField(_("họ và tên (cá nhân)"), max_length=200, blank=True)
    person_position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    collective_name = models.CharField(
        _("tập thể trực thuộc"),
        max_length=255,
        blank=True,
        help_text=_("Với tập thể nhỏ thuộc đơn vị thành viên, ví dụ: Phòng Kỹ thuật nghiệp vụ."),
    )
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    source_label = models.CharField(
        _("căn cứ đề nghị"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: kết quả biểu quyết tại hội nghị …"),
    )
    source_url = models.CharField(max_length=255, blank=True)
    proposed_on = models.DateField(_("ngày đề nghị"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_issuer = models.CharField(
        _("cơ quan, người ký quyết định"), max_length=255, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["bloc_year", "award_title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_title", "unit", "person_name", "collective_name"],
                name="award_unique_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status="final")
                | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="award_final_has_decision",
            ),
            # The same person cannot get two awards of one title in one year.
            models.UniqueConstraint(
                fields=["person", "award_title", "year"],
                condition=Q(person__isnull=False) & ~Q(status="rejected"),
                name="award_person_title_year_unique",
            ),
        ]
        indexes = [models.Index(fields=["year", "award_title"])]

    def __str__(self) -> str:
        return f"{self.award_title} {self.year or ''}: {self.recipient_label}".replace("  ", " ")

    def save(self, *args, **kwargs):
        if self.bloc_year_id and not self.year:
            self.year = self.bloc_year.year
        super().save(*args, **kwargs)

    @property
    def is_individual(self) -> bool:
        return bool(self.person_id or self.person_name)

    @property
    def recipient_label(self) -> str:
        if self.person_name:
            who = self.person_name + (f", {self.person_position}" if self.person_position else "")
            return f"{who} ({self.unit})"
        if self.collective_name:
            return f"{self.collective_name} ({self.unit})"
        return str(self.unit)


class AwardTally(models.Model):
    """How many awards a report says were given, when the names are not all known."""

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="award_tallies",
    )
    award_title = models.ForeignKey(
        AwardTitle, verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="tallies"
    )
    collectives = models.PositiveIntegerField(_("số tập thể"), default=0)
    individuals = models.PositiveIntegerField(_("số cá nhân"), default=0)
    source_label = models.CharField(_("nguồn"), max_length=255)
    source_url = models.CharField(max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    announced_on = models.DateField(
        _("ngày công bố"),
        null=True,
        blank=True,
        help_text=_(
            "Ngày hội nghị công bố, trao các khen thưởng này (đã có quyết định): biên bản "
            "hội nghị ngày đó ghi «Công bố, trao tặng …». Để trống nếu không trao tại hội nghị."
        ),
    )

    class Meta:
        verbose_name = _("số lượng khen thưởng theo báo cáo")
        verbose_name_plural = _("số lượng khen thưởng theo báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_title"], name="tally_one_per_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_title}: {self.collectives} tập thể, {self.individuals} cá nhân"


# --- covenant (giao ước thi đua) -------------------------------------------------------------


class Covenant(models.Model):
    """The yearly covenant. Draft until every member signed, then locked; changes make a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo, đang ký")
        LOCKED = "locked", _("Đã ký đủ, khóa")
        SUPERSEDED = "superseded", _("Đã được thay bằng phiên bản mới")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="covenants"
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("phiên bản trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    plan_reference = models.CharField(
        _("kế hoạch"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: Kế hoạch số 238/KH-KNC ngày 02/3/2022"),
    )
    content = models.TextField(_("nội dung thi đua"), blank=True)
    drafted_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị dự thảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    change_note = models.TextField(_("nội dung thay đổi so với phiên bản trước"), blank=True)
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")
        ordering = ["bloc_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "version"], name="covenant_version_unique"
            ),
            models.UniqueConstraint(
                fields=["bloc_year"], condition=~Q(status="superseded"), name="covenant_one_current"
            ),
            models.CheckConstraint(
                condition=~Q(status="locked") | Q(locked_at__isnull=False),
                name="covenant_locked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class CovenantTarget(models.Model):
    """One target (chỉ tiêu) of a covenant, optionally measurable."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    text = models.TextField(_("chỉ tiêu"))
    measurable = models.BooleanField(_("đo được"), default=False)
    target_value = models.DecimalField(
        _("giá trị chỉ tiêu"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measure_unit = models.CharField(
        _("đơn vị tính"), max_length=50, blank=True, help_text=_("Ví dụ: %, vụ việc")
    )

    class Meta:
        verbose_name = _("chỉ tiêu giao ước")
        verbose_name_plural = _("chỉ tiêu giao ước")
        ordering = ["covenant", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measurable=False) | Q(target_value__isnull=False),
                name="target_measurable_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class CovenantSignature(models.Model):
    """A member unit's signature on a covenant version."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="signatures")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    representative_name = models.CharField(_("họ tên người ký"), max_length=200)
    representative_position = models.CharField(_("chức vụ người ký"), max_length=200)
    signed_on = models.DateField(_("ngày ký"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chữ ký giao ước")
        verbose_name_plural = _("chữ ký giao ước")
        ordering = ["covenant", "signed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["covenant", "unit"], name="signature_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.representative_name}"


# --- registration (đăng ký thi đua) ----------------------------------------------------------


class Registration(models.Model):
    """A member unit's registration: the titles it aims for and its commitments."""

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="registrations"
    )
    titles = models.ManyToManyField(
        AwardTitle, verbose_name=_("danh hiệu đăng ký"), blank=True, related_name="+"
    )
    commitments = models.TextField(_("nội dung cam kết"), blank=True)
    registered_on = models.DateField(_("ngày đăng ký"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đăng ký thi đua")
        verbose_name_plural = _("đăng ký thi đua")
        ordering = ["bloc_year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="registration_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.bloc_year}"


# --- scoring (chấm điểm) ---------------------------------------------------------------------


class ScoringScheme(models.Model):
    """The criteria table of a bloc-year and how it is scored."""

    class Method(models.TextChoices):
        LEADER = "leader", _("Khối trưởng thẩm định")
        CROSS = "cross", _("Các đơn vị chấm chéo")

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Đang xây dựng bảng điểm")
        OPEN = "open", _("Đang chấm điểm")
        LOCKED = "locked", _("Đã khóa kết quả")

    class TieBreak(models.TextChoices):
        SHARED = "shared", _("Bằng điểm thì đồng hạng")
        BASE = (
            "base",
            _("Bằng điểm thì xét điểm chuẩn (không tính cộng/trừ), vẫn bằng thì đồng hạng"),
        )

    bloc_year = models.OneToOneField(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="scoring"
    )
    total_scale = models.DecimalField(
        _("thang điểm chuẩn"), max_digits=6, decimal_places=2, default=100
    )
    bonus_cap = models.DecimalField(
        _("điểm cộng tối đa"), max_digits=6, decimal_places=2, default=10
    )
    method = models.CharField(
        _("cách thẩm định"), max_length=10, choices=Method.choices, default=Method.LEADER
    )
    trim_count = models.PositiveSmallIntegerField(
        _("số điểm bị loại mỗi phía (chấm chéo)"),
        default=1,
        help_text=_("Bỏ N điểm cao nhất và N điểm thấp nhất trước khi lấy trung bình."),
    )
    tie_break = models.CharField(
        _("xử lý bằng điểm"), max_length=10, choices=TieBreak.choices, default=TieBreak.BASE
    )
    basis = models.CharField(
        _("căn cứ"), max_length=255, blank=True, help_text=_("Ví dụ: Quy chế hoạt động của Khối")
    )
    phase = models.CharField(
        _("giai đoạn"), max_length=10, choices=Phase.choices, default=Phase.DRAFT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bảng chấm điểm")
        verbose_name_plural = _("bảng chấm điểm")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_scale__gt=0) & Q(bonus_cap__gte=0), name="scheme_scale_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Bảng chấm điểm {self.bloc_year}"

    @property
    def editable(self) -> bool:
        return self.phase == self.Phase.DRAFT


class Criterion(models.Model):
    """A group or a criterion of a scoring table (two levels: groups, then criteria)."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Nhóm tiêu chí")
        POINTS = "points", _("Chấm điểm")
        YES_NO = "yes_no", _("Đạt / không đạt")
        TARGET = "target", _("Chỉ tiêu – thực hiện")
        BONUS = "bonus", _("Điểm cộng")
        PENALTY = "penalty", _("Điểm trừ")

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc nhóm"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(
        _("số thứ tự"), max_length=20, blank=True, help_text=_("Ví dụ: I, 1, 1.2")
    )
    title = models.CharField(_("nội dung"), max_length=500)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.POINTS)
    max_score = models.DecimalField(
        _("điểm tối đa"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("Với điểm cộng/điểm trừ: mức cộng/trừ tối đa."),
    )
    target_value = models.DecimalField(
        _("chỉ tiêu"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    guidance = models.TextField(_("hướng dẫn chấm, minh chứng cần có"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)

    class Meta:
        verbose_name = _("tiêu chí chấm điểm")
        verbose_name_plural = _("tiêu chí chấm điểm")
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gte=0), name="criterion_max_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(parent__isnull=True))
                | (~Q(kind="group") & Q(parent__isnull=False)),
                name="criterion_two_levels",
            ),
            models.CheckConstraint(
                condition=~Q(kind="target") | Q(target_value__gt=0),
                name="criterion_target_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    @property
    def min_value(self):
        return -self.max_score if self.kind == self.Kind.PENALTY else 0

    @property
    def max_value(self):
        return 0 if self.kind == self.Kind.PENALTY else self.max_score


class ScoreSheet(models.Model):
    """One unit's score sheet for a bloc-year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang tự chấm")
        SUBMITTED = "submitted", _("Đã nộp tự chấm")
        REVIEWED = "reviewed", _("Đã thẩm định")
        LOCKED = "locked", _("Đã khóa")

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        ordering = ["scheme", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], name="sheet_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.scheme.bloc_year}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class Score(models.Model):
    """A unit's score on one criterion: self-assessment, review (with reason), explanation."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", help_text="= sheet.unit"
    )
    min_value = models.DecimalField(max_digits=6, decimal_places=2)
    max_value = models.DecimalField(max_digits=6, decimal_places=2)
    actual_value = models.DecimalField(
        _("kết quả thực hiện"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    self_value = models.DecimalField(
        _("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    evidence = models.TextField(_("minh chứng"), blank=True)
    review_value = models.DecimalField(
        _("điểm thẩm định"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    review_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    explanation = models.TextField(_("giải trình của đơn vị"), blank=True)

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(self_value__isnull=True)
                | (
                    Q(self_value__gte=models.F("min_value"))
                    & Q(self_value__lte=models.F("max_value"))
                ),
                name="score_self_within_max",
            ),
            models.CheckConstraint(
                condition=Q(review_value__isnull=True)
                | (
                    Q(review_value__gte=models.F("min_value"))
                    & Q(review_value__lte=models.F("max_value"))
                ),
                name="score_review_within_max",
            ),
            models.CheckConstraint(
                condition=Q(review_value__isnull=True)
                | Q(review_value=models.F("self_value"))
                | ~Q(review_reason=""),
                name="score_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.criterion_id}: {self.final_value}"

    @property
    def final_value(self):
        return self.review_value if self.review_value is not None else self.self_value

    @property
    def adjusted(self) -> bool:
        return self.review_value is not None and self.review_value != self.self_value


class CrossScore(models.Model):
    """A score given by another member unit (chấm chéo). A unit never scores itself."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="cross_scores")
    scorer_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị chấm"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", help_text="= score.unit"
    )
    min_value = models.DecimalField(max_digits=6, decimal_places=2)
    max_value = models.DecimalField(max_digits=6, decimal_places=2)
    value = models.DecimalField(_("điểm chấm chéo"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("lý do (khi khác điểm tự chấm)"), blank=True)

    class Meta:
        verbose_name = _("điểm chấm chéo")
        verbose_name_plural = _("điểm chấm chéo")
        constraints = [
            models.UniqueConstraint(
                fields=["score", "scorer_unit"], name="crossscore_one_per_scorer"
            ),
            models.CheckConstraint(
                condition=~Q(scorer_unit=models.F("unit")), name="crossscore_not_self"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=models.F("min_value")) & Q(value__lte=models.F("max_value")),
                name="crossscore_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorer_unit_id} → {self.unit_id}: {self.value}"


# --- deadlines -------------------------------------------------------------------------------


class Deadline(models.Model):
    """A deadline of a bloc-year: registration, self-scoring, proposal to Sở Nội vụ, ..."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Đăng ký thi đua")
        SELF_SCORING = "self_scoring", _("Nộp bảng tự chấm điểm")
        PROPOSAL = "proposal", _("Gửi tờ trình đề nghị khen thưởng")
        OTHER = "other", _("Khác")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(_("loại"), max_length=15, choices=Kind.choices)
    label = models.CharField(_("nội dung"), max_length=255, blank=True)
    due_on = models.DateField(_("hạn"))
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    done_on = models.DateField(
        _("ngày hoàn thành"), null=True, blank=True, help_text=_("Ví dụ: ngày gửi tờ trình.")
    )

    class Meta:
        verbose_name = _("thời hạn")
        verbose_name_plural = _("thời hạn")
        ordering = ["bloc_year", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "kind"],
                condition=~Q(kind="other"),
                name="deadline_one_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""), name="deadline_other_has_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.due_on:%d/%m/%Y}"

    @property
    def title(self) -> str:
        return self.label or str(self.get_kind_display())
