"""Meetings of a bloc-year: guests, agenda, attendance, polls and ballots.

Secrecy of the electronic secret ballot (see README, "Bỏ phiếu kín: mô hình đe dọa"):
- PollVoter: the roll frozen when a poll opens (unit, its name that day, and only a keyed hash
  of its one-time ballot code, if a slip was printed);
- VoteCast: "this unit has voted in this poll" (unique per poll+unit) with the unit's receipt;
- SealedBallot: while the poll is open, each ballot is only a sealed box (ciphertext of a
  fixed length) under the poll's public key; the private key is stored wrapped by BALLOT_KEY;
- Ballot: the plaintext ballots, written once at close in one statement, in a random order,
  with random keys, after which the sealed boxes and the private key are deleted. A ballot has
  no unit, no receipt and no time, and is never rewritten.
The bulletin (meetings.bulletin) lists the receipts and, separately, the ballots; its digest
is sealed at close and rechecked by every results surface.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


# Byte b → CODE_ALPHABET[b % 32]: 32 divides 256, so a uniform byte gives a uniform character.
if 256 % len(CODE_ALPHABET):
    raise ImportError("CODE_ALPHABET must have a length that divides 256")
_CODE_TABLE = bytes(ord(CODE_ALPHABET[b % len(CODE_ALPHABET)]) for b in range(256))


def random_code(length: int = 8) -> str:
    """`length` characters of CODE_ALPHABET, each uniform and independent, mapped from random
    bytes of one call to the OS generator (a call per character, as `secrets.choice`, was a
    fifth of a ballot's cast CPU, measured)."""
    return secrets.token_bytes(length).translate(_CODE_TABLE).decode("ascii")


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now):
        return self.filter(starts_at__gte=now).order_by("starts_at")

    def past(self, now):
        return self.filter(starts_at__lt=now).order_by("-starts_at")


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
    ends_at = models.DateTimeField(_("thời gian kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    host_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị đăng cai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    chairs = models.TextField(
        _("chủ trì"), blank=True, help_text=_("Mỗi dòng một người: họ tên, chức vụ, đơn vị.")
    )
    secretary_name = models.CharField(_("thư ký hội nghị"), max_length=255, blank=True)
    source = models.CharField(
        _("nguồn thông tin"), max_length=255, blank=True, help_text=_("Ví dụ: bản tin ngày …")
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The title with the meeting's local date (a 06:00 meeting on 21/11 is on 21/11)."""
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    @property
    def chair_lines(self) -> list[str]:
        return [line.strip() for line in self.chairs.splitlines() if line.strip()]

    @property
    def chair(self) -> str | None:
        """The first chair (the minutes' signatory)."""
        lines = self.chair_lines
        return lines[0] if lines else None


class Guest(models.Model):
    """A guest (khách mời): attends, never votes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("họ và tên"), max_length=200)
    position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    organisation = models.CharField(_("cơ quan"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.position, self.organisation) if p)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("nội dung"), max_length=255)
    duration_minutes = models.PositiveSmallIntegerField(
        _("thời lượng (phút)"), null=True, blank=True
    )
    speaker = models.CharField(_("người trình bày / phát biểu"), max_length=255, blank=True)
    conclusion = models.TextField(_("kết luận"), blank=True)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình hội nghị")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=24 * 60),
                name="agenda_duration_sane",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def summary(self) -> str:
        parts = []
        if self.speaker:
            parts.append(gettext("Trình bày / phát biểu: %(speaker)s.") % {"speaker": self.speaker})
        if self.conclusion:
            parts.append(gettext("Kết luận: %(text)s") % {"text": self.conclusion})
        return " ".join(parts)


class Attendance(models.Model):
    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Chưa điểm danh")
        PRESENT = "present", _("Có mặt")
        ABSENT = "absent", _("Vắng mặt")

    class Method(models.TextChoices):
        SECRETARY = "secretary", _("Thư ký ghi nhận")
        SELF = "self", _("Đại biểu tự điểm danh")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.UNKNOWN
    )
    reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)
    delegates = models.TextField(_("đại biểu dự"), blank=True, help_text=_("Mỗi dòng một người."))
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    checkin_code = models.CharField(max_length=12, null=True, blank=True, unique=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        ordering = ["meeting", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_status_display()}"


class Poll(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", _("Suy tôn, bình xét danh hiệu")
        LEADER = "leader", _("Bầu Khối trưởng năm sau")
        DEPUTY = "deputy", _("Bầu Khối phó năm sau")
        MOTION = "motion", _("Biểu quyết thông qua")

    class Mode(models.TextChoices):
        SECRET = "secret", _("Bỏ phiếu kín điện tử")
        OPEN = "open", _("Biểu quyết công khai điện tử (ghi danh)")
        PAPER = "paper", _("Phiếu giấy, Ban kiểm phiếu kiểm")
        REPORTED = "reported", _("Giơ tay / phiếu giấy – chỉ ghi nhận kết quả (không có số phiếu)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc")
        PUBLISHED = "published", _("Đã công bố")

    class Base(models.TextChoices):
        PRESENT = "present", _("số đơn vị có mặt")
        VALID = "valid", _("số phiếu hợp lệ")
        MEMBERS = "members", _("tổng số đơn vị thành viên")

    class TieBreak(models.TextChoices):
        LEADERS = "leaders", _("Khối trưởng và Khối phó quyết định")
        CHAIR = "chair", _("Chủ trì hội nghị quyết định")

    class RunoffRule(models.TextChoices):
        TOP_DOUBLE = "top_double", _("các đơn vị dẫn đầu, gấp đôi số suất còn trống")
        TIED_TOP = "tied_top", _("các đơn vị cùng có số phiếu cao nhất")
        ALL = "all", _("tất cả đơn vị chưa trúng cử / chưa được suy tôn")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="polls")
    kind = models.CharField(_("loại biểu quyết"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("nội dung biểu quyết"), max_length=255)
    award_title = models.ForeignKey(
        "awards.AwardTitle",
        verbose_name=_("danh hiệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(
        _("hình thức"), max_length=10, choices=Mode.choices, default=Mode.SECRET
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    seats = models.PositiveSmallIntegerField(_("số lượng cần chọn"), default=1)
    max_marks = models.PositiveSmallIntegerField(
        _("số người được đánh dấu tối đa trên một phiếu"), default=1
    )
    base = models.CharField(_("tính trên"), max_length=10, choices=Base.choices, default=Base.VALID)
    threshold_numerator = models.PositiveSmallIntegerField(_("ngưỡng: tử số"), default=1)
    threshold_denominator = models.PositiveSmallIntegerField(_("ngưỡng: mẫu số"), default=2)
    threshold_strict = models.BooleanField(
        _("phải vượt quá ngưỡng (>)"),
        default=True,
        help_text=_("Bỏ chọn để dùng «từ … trở lên» (≥)."),
    )
    allow_self_vote = models.BooleanField(_("được bỏ phiếu cho đơn vị mình"), default=True)
    basis = models.CharField(
        _("căn cứ"), max_length=255, blank=True, default="Quy chế hoạt động của Khối"
    )
    blank_valid = models.BooleanField(_("phiếu trắng là phiếu hợp lệ"), default=True)
    blank_basis = models.CharField(
        _("căn cứ về phiếu trắng"), max_length=255, blank=True, default="Quy chế hoạt động của Khối"
    )
    runoff_rule = models.CharField(
        _("khi còn suất chưa có đơn vị đạt ngưỡng, bầu lại giữa"),
        max_length=12,
        choices=RunoffRule.choices,
        default=RunoffRule.TOP_DOUBLE,
    )
    round_no = models.PositiveSmallIntegerField(_("vòng"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("vòng trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runoffs",
    )
    max_rounds = models.PositiveSmallIntegerField(_("số vòng tối đa"), default=2)
    tie_break_rule = models.CharField(
        _("khi vẫn bằng phiếu sau vòng cuối"),
        max_length=10,
        choices=TieBreak.choices,
        default=TieBreak.LEADERS,
    )
    counting_committee = models.TextField(
        _("Ban kiểm phiếu"),
        blank=True,
        help_text=_("Mỗi dòng một thành viên: họ tên, chức vụ, đơn vị."),
    )
    # Frozen at open.
    roll_size = models.PositiveIntegerField(_("số đơn vị được bỏ phiếu"), null=True, blank=True)
    member_count = models.PositiveIntegerField(
        _("tổng số đơn vị thành viên"), null=True, blank=True
    )
    roll_hash = models.CharField(_("mã băm danh sách cử tri"), max_length=64, blank=True)
    # Secret ballots: the poll's public key, and its private key wrapped by BALLOT_KEY (erased
    # after the tally).
    public_key = models.BinaryField(null=True, blank=True, editable=False)
    wrapped_key = models.BinaryField(null=True, blank=True, editable=False)
    # Paper ballots (counts entry).
    ballots_issued = models.PositiveIntegerField(_("số phiếu phát ra"), null=True, blank=True)
    ballots_returned = models.PositiveIntegerField(_("số phiếu thu về"), null=True, blank=True)
    paper_invalid = models.PositiveIntegerField(_("số phiếu không hợp lệ"), null=True, blank=True)
    paper_blank = models.PositiveIntegerField(_("số phiếu trắng"), null=True, blank=True)
    # Set at close: the digest of the bulletin (sealed tally) and the turnout needed.
    seal_digest = models.CharField(_("mã niêm phong kết quả"), max_length=64, blank=True)
    quorum_needed = models.PositiveIntegerField(
        _("số đơn vị bỏ phiếu tối thiểu (túc số)"), null=True, blank=True
    )
    reported_note = models.CharField(
        _("ghi chú kết quả"),
        max_length=500,
        blank=True,
        help_text=_("Với kết quả chỉ ghi nhận: nguồn, ví dụ «Bản tin ngày 28/11/2023»."),
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_denominator__gte=1)
                & Q(threshold_numerator__gte=1)
                & Q(threshold_numerator__lte=F("threshold_denominator")),
                name="poll_threshold_valid",
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1) & Q(max_marks__gte=1), name="poll_seats_valid"
            ),
            models.CheckConstraint(
                condition=Q(round_no__gte=1) & Q(max_rounds__gte=1), name="poll_rounds_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="award") | Q(award_title__isnull=False),
                name="poll_award_has_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_motion(self) -> bool:
        return self.kind == self.Kind.MOTION

    @property
    def is_honour(self) -> bool:
        """An honour vote (suy tôn danh hiệu): its units "được suy tôn", never "trúng cử"."""
        return self.kind == self.Kind.AWARD

    @property
    def is_electronic(self) -> bool:
        return self.mode in (self.Mode.SECRET, self.Mode.OPEN)

    @property
    def threshold_label(self) -> str:
        values = {"fraction": f"{self.threshold_numerator}/{self.threshold_denominator}"}
        if self.threshold_strict:
            return gettext("trên %(fraction)s") % values
        if self.threshold_numerator == self.threshold_denominator:
            return "100%"
        return gettext("từ %(fraction)s") % values

    def results_visible(self, *, can_run: bool) -> bool:
        """Results show once published; a closed poll's only to who runs the meeting."""
        return self.status == self.Status.PUBLISHED or (
            self.status == self.Status.CLOSED and can_run
        )

    @property
    def rule_label(self) -> str:
        values = {
            "fraction": f"{self.threshold_numerator}/{self.threshold_denominator}",
            "base": self.get_base_display(),
        }
        if self.threshold_strict:
            return gettext("trên %(fraction)s %(base)s") % values
        return gettext("từ %(fraction)s %(base)s trở lên") % values

    @property
    def blank_rule_label(self) -> str:
        values = {"basis": self.blank_basis or gettext("quy chế của khối")}
        if self.blank_valid:
            return gettext("Phiếu trắng là phiếu hợp lệ (căn cứ: %(basis)s).") % values
        return gettext("Phiếu trắng là phiếu không hợp lệ (căn cứ: %(basis)s).") % values


class PollCandidate(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit's name on the meeting day, frozen when the poll opens (the bulletin prints it).
    label = models.CharField(_("tên trên phiếu"), max_length=255, blank=True)
    nomination = models.ForeignKey(
        "awards.Nomination",
        verbose_name=_("đề cử"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ứng viên")
        verbose_name_plural = _("ứng viên")
        ordering = ["poll", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "unit"], name="candidate_unique")]

    def __str__(self) -> str:
        return self.label or self.unit.name


class PollVoter(models.Model):
    """The roll frozen at open: one row per present unit. A printed slip's one-time code is
    stored only as a keyed hash; issuing (or voiding and reissuing) a slip is audited."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voters")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("tên đơn vị"), max_length=255, blank=True)
    code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    slips_issued = models.PositiveSmallIntegerField(_("số lần phát mã"), default=0)
    slip_issued_at = models.DateTimeField(_("phát mã lúc"), null=True, blank=True)
    slip_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("cử tri")
        verbose_name_plural = _("danh sách cử tri")
        ordering = ["poll", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["poll", "unit"], name="pollvoter_unique")]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.unit}"


class WrongCodes(models.Model):
    """Wrong ballot codes counted per window, for the throttle (meetings.throttle): one row per
    key ("client:<hash of the address>" or "poll:<id>"), kept until its window ends. No code, no
    unit, no ballot. On PostgreSQL the table is UNLOGGED (migration 0007): it is not written to
    the WAL nor copied by a base backup, and it is emptied after a crash, as a Redis without
    persistence would forget it."""

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    until = models.DateTimeField()

    class Meta:
        verbose_name = _("lần nhập sai mã phiếu")
        verbose_name_plural = _("lần nhập sai mã phiếu")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class VoteCast(models.Model):
    """ "This unit has voted in this poll", with its receipt. No time, and no link to the
    ballot (except in open, named votes, set at close)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="casts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Published in the bulletin's receipt list (inclusion), never beside a ballot's content.
    receipt = models.CharField(_("mã biên nhận"), max_length=16, blank=True)
    # Only for named (open) votes: which ballot is theirs. Always NULL for secret ballots.
    open_ballot = models.OneToOneField(
        "Ballot", null=True, blank=True, on_delete=models.CASCADE, related_name="open_cast"
    )

    class Meta:
        verbose_name = _("đã bỏ phiếu")
        verbose_name_plural = _("đã bỏ phiếu")
        constraints = [models.UniqueConstraint(fields=["poll", "unit"], name="one_ballot_per_unit")]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.unit_id}"


class SealedBallot(models.Model):
    """A ballot while its poll is open: a sealed box under the poll's public key, padded to one
    length for the whole poll. No unit, no receipt, no time. Deleted at close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sealed_ballots")
    box = models.BinaryField()

    class Meta:
        verbose_name = _("phiếu niêm phong")
        verbose_name_plural = _("phiếu niêm phong")

    def __str__(self) -> str:
        return str(self.id)


class Ballot(models.Model):
    """A counted ballot: random key, no receipt, no timestamp, no unit. Written once (at close,
    or by the counting committee for paper) and never rewritten."""

    class Choice(models.TextChoices):
        YES = "yes", _("Tán thành")
        NO = "no", _("Không tán thành")
        ABSTAIN = "abstain", _("Không ý kiến")

    class Source(models.TextChoices):
        ELECTRONIC = "electronic", _("Điện tử")
        PAPER = "paper", _("Phiếu giấy")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    marks = models.JSONField(default=list, blank=True)  # sorted candidate ids
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    invalid = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ELECTRONIC)

    class Meta:
        verbose_name = _("phiếu bầu")
        verbose_name_plural = _("phiếu bầu")

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_blank(self) -> bool:
        return not self.invalid and not self.marks and not self.choice


class PaperCount(models.Model):
    """Counts entered by the counting committee for a paper poll (one row per candidate/choice)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="paper_counts")
    candidate = models.ForeignKey(
        PollCandidate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    choice = models.CharField(max_length=10, choices=Ballot.Choice.choices, blank=True)
    votes = models.PositiveIntegerField(_("số phiếu"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "candidate"],
                condition=Q(candidate__isnull=False),
                name="papercount_candidate_unique",
            ),
            models.UniqueConstraint(
                fields=["poll", "choice"],
                condition=Q(candidate__isnull=True),
                name="papercount_choice_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id or self.choice}: {self.votes}"


class PollDecision(models.Model):
    """A recorded decision: the tie-break after the last round, or the outcome a report gives."""

    class Kind(models.TextChoices):
        TIE_BREAK = "tie_break", _("Quyết định khi bằng phiếu sau vòng cuối")
        REPORTED = "reported", _("Kết quả được ghi nhận (không có số phiếu)")

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="decision")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    winners = models.ManyToManyField(PollCandidate, blank=True, related_name="+")
    motion_adopted = models.BooleanField(null=True, blank=True)
    decided_by = models.CharField(_("người quyết định"), max_length=255, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("quyết định")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.decided_by}"
