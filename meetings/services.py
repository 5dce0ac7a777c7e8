"""Meeting and voting operations. Keyword-only, atomic, audited (never with ballot contents,
codes or receipts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import AuditEvent, BlocYear, Unit
from blocs.services import audit
from khoithidua.lib.joinedrow import JoinedRow

from . import bulletin as bulletin_format
from . import crypto
from .models import (
    AgendaItem,
    Attendance,
    Ballot,
    Guest,
    Meeting,
    PaperCount,
    Poll,
    PollCandidate,
    PollDecision,
    PollVoter,
    VoteCast,
    random_code,
)
from .results import (
    Counts,
    OptionResult,
    Outcome,
    PollResult,
    Rule,
    candidate_outcome,
    motion_label,
    motion_outcome,
)

POLL_LOCK_CLASS = 7401  # advisory-lock namespace for polls (PostgreSQL)
CODE_LENGTH = 10  # 32^10 ≈ 2^50 codes per slip
RECEIPT_LENGTH = 10


class VoteRefused(Exception):
    """A ballot that cannot be accepted; the message is shown to the voter. Nothing was stored."""


class AlreadyVoted(VoteRefused):
    """The unit's ballot is already recorded (e.g. the reply to the first submit was lost)."""

    def __init__(self, receipt: str):
        self.receipt = receipt
        super().__init__(
            _("Phiếu của đơn vị đã được ghi nhận. Mã biên nhận: %(receipt)s.")
            % {"receipt": receipt or "—"}
        )


class TallyTampered(ValidationError):
    """The stored ballots (or the poll's rule, candidates or roll) no longer match the digest
    sealed at close. Every results surface refuses to show, publish, export or print."""

    def __init__(self, poll_id: int, detail: str = ""):
        self.poll_id = poll_id
        self.detail = detail
        super().__init__(
            _(
                "Dữ liệu phiếu đã bị thay đổi sau khi kết thúc: kết quả không khớp mã niêm "
                "phong. Không công bố, không xuất và không in kết quả này."
            ),
            code="tally_tampered",
        )


class LowTurnout(ValidationError):
    """Closing with fewer voters than the quorum needs an explicit confirmation."""


# --- meetings --------------------------------------------------------------------------------


def meeting_date(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()


def member_units(meeting: Meeting) -> list[Unit]:
    """Member units of the bloc-year on the meeting's (local) date, by name."""
    return list(
        Unit.objects.members_of(meeting.bloc_year_id, on=meeting_date(meeting)).order_by("name")
    )


def attendance_ensure_rows(*, meeting: Meeting) -> None:
    have = set(meeting.attendances.values_list("unit_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, unit=u) for u in member_units(meeting) if u.pk not in have],
        ignore_conflicts=True,
    )


@transaction.atomic
def meeting_create(*, bloc_year: BlocYear, actor=None, **fields) -> Meeting:
    meeting = Meeting(bloc_year=bloc_year, **fields)
    meeting.full_clean()
    meeting.save()
    attendance_ensure_rows(meeting=meeting)
    audit(actor=actor, action="meeting.create", obj=meeting, summary=meeting.label)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor=None, **fields) -> Meeting:
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    audit(actor=actor, action="meeting.edit", obj=meeting, summary=meeting.label)
    return meeting


@transaction.atomic
def guest_add(
    *, meeting: Meeting, name: str, position: str = "", organisation: str = "", actor=None
) -> Guest:
    order = (meeting.guests.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    guest = Guest.objects.create(
        meeting=meeting, name=name, position=position, organisation=organisation, order=order
    )
    audit(
        actor=actor,
        action="meeting.guest.add",
        obj=meeting,
        summary=_("Khách mời: %(guest)s") % {"guest": guest},
    )
    return guest


@transaction.atomic
def guest_remove(*, guest: Guest, actor=None) -> None:
    meeting = guest.meeting
    audit(
        actor=actor,
        action="meeting.guest.remove",
        obj=meeting,
        summary=_("Bỏ khách mời: %(guest)s") % {"guest": guest},
    )
    guest.delete()


@transaction.atomic
def agenda_item_save(*, item: AgendaItem, actor=None) -> AgendaItem:
    created = item.pk is None
    if created and not item.order:
        item.order = (
            item.meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
            or 0
        ) + 1
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        action="meeting.agenda.add" if created else "meeting.agenda.edit",
        obj=item.meeting,
        summary=item.title,
    )
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor=None) -> None:
    audit(actor=actor, action="meeting.agenda.remove", obj=item.meeting, summary=item.title)
    item.delete()


# --- attendance and quorum ------------------------------------------------------------------


@dataclass
class Quorum:
    members: int
    present: int
    needed: int
    numerator: int
    denominator: int
    basis: str

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.needed

    @classmethod
    def of(cls, bloc, *, members: int, present: int) -> Quorum:
        """The bloc's quorum rule applied to counts the caller already has."""
        return cls(
            members,
            present,
            bloc.quorum_needed(members),
            bloc.quorum_numerator,
            bloc.quorum_denominator,
            bloc.quorum_basis,
        )


def quorum(meeting: Meeting) -> Quorum:
    """The one definition of a meeting's quorum: present member units against the bloc's
    fraction of the member units on the meeting day."""
    members = member_units(meeting)
    ids = {u.pk for u in members}
    present = meeting.attendances.filter(status=Attendance.Status.PRESENT, unit_id__in=ids).count()
    return Quorum.of(meeting.bloc_year.bloc, members=len(members), present=present)


@transaction.atomic
def attendance_mark(
    *, meeting: Meeting, unit: Unit, status: str, reason: str = "", delegates: str = "", actor=None
) -> Attendance:
    if unit.pk not in {u.pk for u in member_units(meeting)}:
        raise ValidationError(_("Đơn vị không phải thành viên của khối vào ngày hội nghị."))
    if status == Attendance.Status.ABSENT and not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do vắng mặt.")})
    row, _created = Attendance.objects.get_or_create(meeting=meeting, unit=unit)
    row = Attendance.objects.select_for_update(of=("self",)).get(pk=row.pk)
    row.status = status
    row.reason = reason.strip() if status == Attendance.Status.ABSENT else ""
    row.delegates = delegates.strip()
    row.method = Attendance.Method.SECRETARY
    if status == Attendance.Status.PRESENT:
        row.checked_in_at = row.checked_in_at or timezone.now()
        row.checkin_code = None
    row.save()
    audit(
        actor=actor,
        action="attendance.mark",
        obj=meeting,
        summary=_("%(unit)s: %(status)s") % {"unit": unit.name, "status": row.get_status_display()},
        data={"unit": unit.pk, "status": status},
    )
    return row


@transaction.atomic
def attendance_mark_all_present(*, meeting: Meeting, actor=None) -> int:
    """«Tất cả có mặt»: every member unit not yet marked becomes present, in one step; units
    already marked absent keep their reason (the exceptions are then marked one by one)."""
    attendance_ensure_rows(meeting=meeting)
    ids = [u.pk for u in member_units(meeting)]
    n = meeting.attendances.filter(unit_id__in=ids, status=Attendance.Status.UNKNOWN).update(
        status=Attendance.Status.PRESENT,
        method=Attendance.Method.SECRETARY,
        checked_in_at=timezone.now(),
        checkin_code=None,
    )
    audit(
        actor=actor,
        action="attendance.all_present",
        obj=meeting,
        summary=_("Tất cả có mặt: %(n)s đơn vị") % {"n": n},
        data={"count": n},
    )
    return n


@transaction.atomic
def checkin_codes_issue(*, meeting: Meeting, actor=None) -> int:
    """Give every unit not yet present a fresh one-time check-in code."""
    attendance_ensure_rows(meeting=meeting)
    rows = list(
        meeting.attendances.select_for_update(of=("self",)).exclude(
            status=Attendance.Status.PRESENT
        )
    )
    for row in rows:
        row.checkin_code = random_code(8)
    Attendance.objects.bulk_update(rows, ["checkin_code"])
    audit(
        actor=actor,
        action="attendance.codes",
        obj=meeting,
        summary=_("Phát %(n)s mã điểm danh") % {"n": len(rows)},
    )
    return len(rows)


@transaction.atomic
def checkin_with_code(*, code: str, delegates: str = "") -> Attendance:
    """A delegate checks their unit in. The code works once. Locks only that attendance row:
    check-ins of other units, and the meeting row, never wait for it."""
    code = (code or "").strip().upper().replace(" ", "")
    row = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("meeting", "unit")
        .filter(checkin_code=code)
        .first()
        if code
        else None
    )
    if row is None:
        raise ValidationError({"code": _("Mã điểm danh không đúng hoặc đã được dùng.")})
    row.status = Attendance.Status.PRESENT
    row.reason = ""
    if delegates.strip():
        row.delegates = delegates.strip()
    row.method = Attendance.Method.SELF
    row.checked_in_at = timezone.now()
    row.checkin_code = None
    row.save()
    audit(
        actor=None,
        action="attendance.checkin",
        obj=row.meeting,
        summary=_("%(unit)s tự điểm danh") % {"unit": row.unit.name},
        data={"unit": row.unit_id},
    )
    return row


# --- polls -----------------------------------------------------------------------------------


def _check_candidates(poll: Poll, units: list[Unit]) -> None:
    members = {u.pk for u in member_units(poll.meeting)}
    outsiders = [u.name for u in units if u.pk not in members]
    if outsiders:
        raise ValidationError(
            {
                "candidates": _("Không phải đơn vị thành viên: %(units)s.")
                % {"units": ", ".join(outsiders)}
            }
        )
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"candidates": _("Một đơn vị được chọn hai lần.")})


def _check_marks_rule(poll: Poll) -> None:
    if not poll.is_motion and poll.max_marks > poll.seats:
        raise ValidationError(
            {"max_marks": _("Số đánh dấu tối đa không được vượt số lượng cần chọn.")}
        )


def _candidates_from_nominations(meeting: Meeting, award_title) -> tuple[list[Unit], dict]:
    """An honour vote with no candidate picked by hand: the year's nominations for the title."""
    from awards.services import nominations_for_poll

    units, nominations = [], {}
    for n in nominations_for_poll(bloc_year=meeting.bloc_year, award_title=award_title):
        if n.unit_id not in nominations:
            nominations[n.unit_id] = n.pk
            units.append(n.unit)
    return units, nominations


@transaction.atomic
def poll_create(
    *,
    meeting: Meeting,
    candidates: list[Unit] | None = None,
    nomination_ids: dict | None = None,
    actor=None,
    **fields,
) -> Poll:
    """A draft poll. The bloc's blank-ballot and runoff rules apply unless given. An honour vote
    without candidates takes the year's nominations for its title."""
    bloc = meeting.bloc_year.bloc
    fields.setdefault("blank_valid", bloc.blank_ballot_valid)
    fields.setdefault("blank_basis", bloc.blank_ballot_basis)
    fields.setdefault("runoff_rule", bloc.runoff_rule)
    poll = Poll(meeting=meeting, **fields)
    if poll.kind in (Poll.Kind.LEADER, Poll.Kind.DEPUTY):
        poll.seats = 1
    if poll.kind != Poll.Kind.AWARD:
        poll.award_title = None
    if poll.is_motion:
        poll.seats = 1
        poll.max_marks = 1
    poll.full_clean()
    _check_marks_rule(poll)
    units = list(candidates or [])
    nominations = dict(nomination_ids or {})
    if not poll.is_motion and not units and poll.kind == Poll.Kind.AWARD:
        units, nominations = _candidates_from_nominations(meeting, poll.award_title)
        if not units:
            raise ValidationError(
                {"candidates": _("Chưa có đề cử cho danh hiệu này; hãy chọn ứng viên.")}
            )
    poll.save()
    if not poll.is_motion:
        _check_candidates(poll, units)
        PollCandidate.objects.bulk_create(
            PollCandidate(poll=poll, unit=u, order=i, nomination_id=nominations.get(u.pk))
            for i, u in enumerate(units, start=1)
        )
    audit(
        actor=actor,
        action="poll.create",
        obj=poll,
        summary=_("%(meeting)s: %(poll)s") % {"meeting": meeting.label, "poll": poll.title},
        data={"kind": poll.kind, "mode": poll.mode, "round": poll.round_no},
    )
    return poll


@transaction.atomic
def poll_update(*, poll: Poll, candidates: list[Unit] | None = None, actor=None, **fields) -> Poll:
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError(_("Chỉ sửa được biểu quyết ở trạng thái nháp."))
    for name, value in fields.items():
        setattr(poll, name, value)
    if poll.kind in (Poll.Kind.LEADER, Poll.Kind.DEPUTY, Poll.Kind.MOTION):
        poll.seats = 1
    if poll.is_motion:
        poll.max_marks = 1
    poll.full_clean()
    _check_marks_rule(poll)
    poll.save()
    if candidates is not None and not poll.is_motion:
        _check_candidates(poll, candidates)
        poll.candidates.exclude(unit__in=candidates).delete()
        have = {c.unit_id: c for c in poll.candidates.all()}
        for i, u in enumerate(candidates, start=1):
            c = have.get(u.pk) or PollCandidate(poll=poll, unit=u)
            c.order = i
            c.save()
    audit(actor=actor, action="poll.edit", obj=poll, summary=poll.title)
    return poll


def roll_digest(poll: Poll, unit_rows: list[tuple[int, str]]) -> str:
    payload = json.dumps(
        {"poll": poll.pk, "voters": sorted(unit_rows)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@transaction.atomic
def poll_open(*, poll: Poll, actor=None) -> Poll:
    """Freeze the roll (present units) and the names on it, store its hash; an electronic poll
    gets its key pair. No ballot code exists yet: delegates with an account vote from it, and
    slips are printed (and audited) only for the units that need one."""
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("meeting__bloc_year__bloc")
        .get(pk=poll.pk)
    )
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError(_("Biểu quyết không ở trạng thái nháp."))
    if poll.mode == Poll.Mode.REPORTED:
        raise ValidationError(
            _("Biểu quyết chỉ ghi nhận kết quả không mở bỏ phiếu; hãy ghi nhận kết quả.")
        )
    if not poll.is_motion and not poll.candidates.exists():
        raise ValidationError(_("Chưa có ứng viên."))
    meeting = poll.meeting
    q = quorum(meeting)
    if not q.reached:
        raise ValidationError(
            _(
                "Chưa đủ túc số: %(present)s/%(members)s đơn vị có mặt, cần ít nhất %(needed)s "
                "(%(num)s/%(den)s)."
            )
            % {
                "present": q.present,
                "members": q.members,
                "needed": q.needed,
                "num": q.numerator,
                "den": q.denominator,
            }
        )
    day = meeting_date(meeting)
    members = {u.pk for u in member_units(meeting)}
    present = list(
        meeting.attendances.filter(status=Attendance.Status.PRESENT, unit_id__in=members)
        .select_related("unit")
        .order_by("unit__name")
    )
    voters = [PollVoter(poll=poll, unit=row.unit, name=row.unit.name_on(day)) for row in present]
    PollVoter.objects.bulk_create(voters)
    candidates = list(poll.candidates.select_related("unit"))
    for c in candidates:
        c.label = c.unit.name_on(day)
    PollCandidate.objects.bulk_update(candidates, ["label"])
    poll.roll_size = len(voters)
    poll.member_count = len(members)
    poll.quorum_needed = q.needed
    poll.roll_hash = roll_digest(poll, [(v.unit_id, v.name) for v in voters])
    if poll.is_electronic:
        poll.public_key, poll.wrapped_key = crypto.poll_keys_new(poll.pk)
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    if poll.mode == Poll.Mode.PAPER and poll.ballots_issued is None:
        poll.ballots_issued = len(voters)
    poll.save()
    audit(
        actor=actor,
        action="poll.open",
        obj=poll,
        summary=_("Mở biểu quyết: %(poll)s") % {"poll": poll.title},
        data={
            "roll_size": poll.roll_size,
            "roll_hash": poll.roll_hash,
            "quorum": [q.present, q.members],
        },
    )
    return poll


# --- who votes: accounts and slips ----------------------------------------------------------


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def voter_for_code(code: str) -> PollVoter | None:
    """The roll entry a slip code belongs to (looked up by its keyed hash), or None."""
    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        return None
    # The hot path of a vote: one SELECT built once per process (code_hash is unique), the
    # voter with its poll and meeting linked as select_related links them.
    return _VOTER_BY_CODE.get(crypto.code_hash(code))


_VOTER_BY_CODE = JoinedRow(PollVoter, ("poll", "meeting"), where="code_hash")


def voter_for_code_unless_throttled(
    code: str, checked: list[tuple[str, int, int]]
) -> tuple[int, PollVoter | None]:
    """(seconds to wait, None) if a throttle key in `checked` is over its limit; else (0, the
    roll entry of `code` or None). On PostgreSQL both are read in one statement (the throttle's
    row ahead of the lookup: one round trip); elsewhere in two. A blocked caller learns nothing
    about the code."""
    from meetings import throttle

    code = normalize_code(code)
    key = crypto.code_hash(code) if len(code) == CODE_LENGTH else ""  # "" matches no row
    now = timezone.now()
    if connection.vendor == "postgresql":
        (until,), voter = _VOTER_BY_CODE.get(
            key, head=(throttle.HEAD_SQL, throttle.head_params(checked, now))
        )
        wait = throttle.wait_until(until, now)
    else:
        wait = throttle.wait_until(throttle.blocked_until(checked, now), now)
        voter = _VOTER_BY_CODE.get(key) if key and not wait else None
    return (wait, None) if wait else (0, voter)


def voters_for_user(poll: Poll, user) -> list[PollVoter]:
    """The roll entries a logged-in delegate may vote for (their units present at open)."""
    from blocs.access import roles_of

    if not getattr(user, "is_authenticated", False):
        return []
    units = roles_of(user).delegate_unit_ids
    if not units:
        return []
    return list(poll.voters.filter(unit_id__in=units).select_related("poll").order_by("name"))


def units_with_accounts(poll: Poll) -> set[int]:
    """Units of the roll that have a delegate account (they vote from it, not from a slip)."""
    from blocs.models import RoleAssignment

    return set(
        RoleAssignment.objects.filter(
            role="delegate",
            unit_id__in=poll.voters.values("unit_id"),
            user__is_active=True,
        ).values_list("unit_id", flat=True)
    )


@dataclass
class Slip:
    voter: PollVoter
    code: str  # shown once, on the printed slip; only its keyed hash is stored
    reissued: bool


@transaction.atomic
def poll_slips_issue(*, poll: Poll, unit_ids: list[int], actor) -> list[Slip]:
    """Print one-time ballot codes for these units of the roll. A unit that already had a
    slip gets a new code and its old one stops working (void and reissue). Refused for a unit
    that has voted. The codes are returned once and never stored; who printed them, and when,
    is in the audit log."""
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN or not poll.is_electronic:
        raise ValidationError(_("Chỉ phát mã phiếu bầu khi biểu quyết điện tử đang mở."))
    voters = list(
        poll.voters.select_for_update(of=("self",)).filter(unit_id__in=unit_ids).order_by("name")
    )
    if not voters:
        raise ValidationError(_("Chọn ít nhất một đơn vị trong danh sách cử tri."))
    voted = set(poll.casts.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True))
    refused = [v.name for v in voters if v.unit_id in voted]
    if refused:
        raise ValidationError(
            _("Đơn vị đã bỏ phiếu, không phát lại mã: %(units)s.") % {"units": ", ".join(refused)}
        )
    now = timezone.now()
    slips = []
    for v in voters:
        code = random_code(CODE_LENGTH)
        slips.append(Slip(v, code, v.slips_issued > 0))
        v.code_hash = crypto.code_hash(code)
        v.slips_issued += 1
        v.slip_issued_at = now
        v.slip_issued_by = actor if getattr(actor, "is_authenticated", False) else None
    PollVoter.objects.bulk_update(
        voters, ["code_hash", "slips_issued", "slip_issued_at", "slip_issued_by"]
    )
    reissued = [s.voter.name for s in slips if s.reissued]
    audit(
        actor=actor,
        action="poll.slips",
        obj=poll,
        summary=(
            _("In %(n)s mã phiếu bầu (hủy mã cũ và phát lại: %(reissued)s)")
            % {"n": len(slips), "reissued": ", ".join(reissued)}
            if reissued
            else _("In %(n)s mã phiếu bầu: %(units)s")
            % {"n": len(slips), "units": ", ".join(s.voter.name for s in slips)}
        ),
        data={"units": [s.voter.unit_id for s in slips], "reissued": len(reissued)},
    )
    return slips


# --- casting ---------------------------------------------------------------------------------


def _lock_poll(poll_id: int, *, shared: bool) -> None:
    """Casting takes a shared advisory lock, closing an exclusive one: ballots never wait for
    each other (no row lock on the poll), and no ballot slips in while a poll closes."""
    if connection.vendor == "postgresql":
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {fn}(%s, %s)", [POLL_LOCK_CLASS, poll_id])


_CANDIDATES: dict[tuple, list[tuple[int, str, int]]] = {}


def poll_candidate_rows(poll: Poll) -> list[tuple[int, str, int]]:
    """[(candidate id, label, unit id)] in ballot order. Frozen once the poll is open (labels
    are fixed at open), so cached per process for the open poll."""
    key = (poll.pk, poll.opened_at)
    found = _CANDIDATES.get(key) if poll.status == Poll.Status.OPEN else None
    if found is None:
        found = [
            (pk, label or name, unit_id)
            for pk, label, name, unit_id in poll.candidates.order_by("order", "id").values_list(
                "pk", "label", "unit__name", "unit_id"
            )
        ]
        if poll.status == Poll.Status.OPEN:
            if len(_CANDIDATES) > 256:
                _CANDIDATES.clear()
            _CANDIDATES[key] = found
    return found


def poll_candidate_units(poll: Poll) -> dict[int, int]:
    """{candidate id: unit id}."""
    return {pk: unit_id for pk, _label, unit_id in poll_candidate_rows(poll)}


def ballot_check(
    *, voter: PollVoter, marks: list[int] | None = None, choice: str = "", blank: bool = False
) -> tuple[list[int], str]:
    """Validate a ballot against the poll's rule; returns (marks, choice). Raises VoteRefused."""
    poll = voter.poll
    if poll.status != Poll.Status.OPEN:
        raise VoteRefused(_("Biểu quyết không mở (đã kết thúc hoặc chưa bắt đầu)."))
    if poll.mode not in (Poll.Mode.SECRET, Poll.Mode.OPEN):
        raise VoteRefused(_("Biểu quyết này không bỏ phiếu điện tử."))
    try:
        marks = sorted({int(m) for m in (marks or [])})
    except (TypeError, ValueError):
        raise VoteRefused(_("Phiếu có ứng viên không thuộc danh sách.")) from None
    choice = choice or ""
    if poll.is_motion:
        marks = []
        if choice not in ("", *Ballot.Choice.values):
            raise VoteRefused(_("Lựa chọn không hợp lệ."))
    else:
        choice = ""
        candidates = poll_candidate_units(poll)
        if any(m not in candidates for m in marks):
            raise VoteRefused(_("Phiếu có ứng viên không thuộc danh sách."))
        if len(marks) > poll.max_marks:
            raise VoteRefused(_("Chỉ được chọn tối đa %(n)s đơn vị.") % {"n": poll.max_marks})
        if not poll.allow_self_vote and any(candidates[m] == voter.unit_id for m in marks):
            raise VoteRefused(_("Theo quy chế, đơn vị không được bỏ phiếu cho chính mình."))
    empty = not marks and not choice
    if empty and not blank:
        raise VoteRefused(
            _("Phiếu chưa có lựa chọn nào. Nếu muốn bỏ phiếu trắng, hãy chọn «Phiếu trắng».")
        )
    if blank and not empty:
        raise VoteRefused(_("Phiếu trắng không được đánh dấu lựa chọn nào."))
    return marks, choice


def ballot_cast(
    *,
    voter: PollVoter | None = None,
    code: str = "",
    marks: list[int] | None = None,
    choice: str = "",
    blank: bool = False,
) -> str:
    """Cast the unit's one ballot (`voter`, or the voter a slip `code` belongs to); returns its
    receipt. The ballot is stored only as a sealed box under the poll's public key; "this unit
    has voted" and the receipt go beside it in the same transaction (one ballot per unit: a
    unique constraint). A blank ballot must be asked for (`blank=True`)."""
    if voter is None:
        voter = voter_for_code(code)
        if voter is None:
            raise VoteRefused(_("Mã phiếu bầu không đúng."))
    marks, choice = ballot_check(voter=voter, marks=marks, choice=choice, blank=blank)
    poll = voter.poll
    payload = {"m": marks} if not poll.is_motion else {"c": choice}
    if poll.mode == Poll.Mode.OPEN:
        payload["u"] = voter.unit_id
    box = crypto.ballot_seal(poll.public_key, payload, crypto.plaintext_size(poll.max_marks))
    receipt = random_code(RECEIPT_LENGTH)
    box_id = uuid.uuid4()
    # The hot path of a vote: plain SQL (no ORM compilation), one transaction.
    try:
        if connection.vendor == "postgresql":
            # One round trip: the function takes the shared lock, then checks the status and
            # writes both rows in statements that start after it (migration 0006). Outside a
            # transaction it is its own; inside one (tests, a caller's atomic) a savepoint
            # keeps a refused second ballot from breaking the caller's transaction.
            params = [
                POLL_LOCK_CLASS,
                poll.pk,
                Poll.Status.OPEN,
                voter.unit_id,
                receipt,
                box_id,
                box,
            ]
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                with connection.cursor() as cursor:
                    cursor.execute(_CAST_SQL, params)
                    accepted = cursor.fetchone()[0]
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT status FROM meetings_poll WHERE id = %s", [poll.pk])
                accepted = cursor.fetchone()[0] == Poll.Status.OPEN
                if accepted:
                    cursor.execute(
                        "INSERT INTO meetings_votecast (poll_id, unit_id, receipt) "
                        "VALUES (%s, %s, %s)",
                        [poll.pk, voter.unit_id, receipt],
                    )
                    cursor.execute(
                        "INSERT INTO meetings_sealedballot (id, poll_id, box) VALUES (%s, %s, %s)",
                        [box_id.hex, poll.pk, box],
                    )
    except IntegrityError:
        raise AlreadyVoted(cast_receipt(voter)) from None
    if not accepted:
        raise VoteRefused(_("Biểu quyết đã kết thúc, phiếu không được nhận."))
    return receipt


_CAST_SQL = "SELECT meetings_cast_ballot(%s, %s, %s, %s, %s, %s, %s)"


def cast_receipt(voter: PollVoter) -> str | None:
    """The unit's receipt if its ballot is recorded (the lost-reply recovery), else None."""
    return (
        VoteCast.objects.filter(poll_id=voter.poll_id, unit_id=voter.unit_id)
        .values_list("receipt", flat=True)
        .first()
    )


# --- closing: decrypt, shuffle, seal ----------------------------------------------------------


def poll_turnout(poll: Poll) -> tuple[int, int, int]:
    """(voted, roll, needed): units that voted, units on the roll, the quorum in units."""
    needed = poll.quorum_needed
    if needed is None:
        needed = poll.meeting.bloc_year.bloc.quorum_needed(poll.member_count or 0)
    return poll.casts.count(), poll.roll_size or 0, needed


def _decrypt_ballots(poll: Poll) -> tuple[list[Ballot], dict[int, Ballot], int]:
    """Open every sealed box. Returns (ballots, {unit: ballot} for named votes, unreadable)."""
    private = crypto.poll_key_unwrap(poll.pk, poll.wrapped_key)
    candidates = set(poll.candidates.values_list("pk", flat=True))
    ballots, named, unreadable = [], {}, 0
    for box in poll.sealed_ballots.values_list("box", flat=True):
        try:
            payload = crypto.ballot_open(private, box)
        except Exception:  # noqa: BLE001 - a box that does not open is counted invalid
            unreadable += 1
            ballots.append(Ballot(id=uuid.uuid4(), poll_id=poll.pk, invalid=True))
            continue
        marks = sorted(int(m) for m in payload.get("m", []))
        choice = payload.get("c", "")
        bad = (
            any(m not in candidates for m in marks)
            or len(marks) > poll.max_marks
            or choice not in ("", *Ballot.Choice.values)
        )
        ballot = Ballot(
            id=uuid.uuid4(),
            poll_id=poll.pk,
            marks=[] if bad else marks,
            choice="" if bad else choice,
            invalid=bad,
        )
        ballots.append(ballot)
        if "u" in payload:
            named[int(payload["u"])] = ballot
    return ballots, named, unreadable


@transaction.atomic
def poll_close(*, poll: Poll, actor=None, confirm_low_turnout: bool = False) -> Poll:
    """Close for good. Waits for ballots being cast, then refuses any later one.

    A secret poll's sealed boxes are decrypted, shuffled with a CSPRNG, and written as plain
    ballots with random keys in one INSERT; the boxes and the poll's private key are deleted.
    The bulletin's digest is then sealed in the poll row and the audit log."""
    _lock_poll(poll.pk, shared=False)
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("meeting__bloc_year__bloc")
        .get(pk=poll.pk)
    )
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Chỉ kết thúc được biểu quyết đang mở."))
    if poll.mode == Poll.Mode.PAPER:
        _check_paper_complete(poll)
    voted, roll, needed = poll_turnout(poll)
    if poll.is_electronic and voted < needed and not confirm_low_turnout:
        raise LowTurnout(
            _(
                "Mới có %(voted)s/%(roll)s đơn vị bỏ phiếu, dưới túc số %(needed)s đơn vị. "
                "Hãy xác nhận nếu vẫn kết thúc biểu quyết."
            )
            % {"voted": voted, "roll": roll, "needed": needed},
            code="low_turnout",
        )
    unreadable = 0
    if poll.is_electronic:
        sealed = poll.sealed_ballots.count()
        if sealed != voted:
            raise ValidationError(
                _(
                    "Số phiếu niêm phong (%(sealed)s) khác số đơn vị đã bỏ phiếu (%(voted)s): "
                    "dữ liệu phiếu đã bị thay đổi, không kết thúc được."
                )
                % {"sealed": sealed, "voted": voted}
            )
        ballots, named, unreadable = _decrypt_ballots(poll)
        secrets.SystemRandom().shuffle(ballots)
        Ballot.objects.bulk_create(ballots)  # one INSERT: one xmin, a random physical order
        if poll.mode == Poll.Mode.OPEN:
            casts = list(poll.casts.all())
            for cast in casts:
                cast.open_ballot = named.get(cast.unit_id)
            VoteCast.objects.bulk_update(casts, ["open_ballot"])
        poll.sealed_ballots.all().delete()
        poll.wrapped_key = None
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.seal_digest = bulletin_format.seal_of(poll_bulletin(poll, check=False))
    poll.save()
    audit(
        actor=actor,
        action="poll.close",
        obj=poll,
        summary=_("Kết thúc biểu quyết: %(poll)s (%(voted)s/%(roll)s đơn vị đã bỏ phiếu)")
        % {"poll": poll.title, "voted": voted, "roll": roll},
        data={
            "voted": voted,
            "roll": roll,
            "quorum_needed": needed,
            "low_turnout_confirmed": bool(voted < needed and confirm_low_turnout),
            "unreadable": unreadable,
            "seal": poll.seal_digest,
        },
    )
    return poll


# --- the bulletin and its seal ----------------------------------------------------------------


def poll_bulletin(poll: Poll, *, check: bool = True) -> dict:
    """The public bulletin (format `khoithidua.bulletin/1`, see meetings/bulletin.py), built
    from the stored rows. With `check`, raises TallyTampered when it no longer matches the
    digest sealed at close."""
    motion = poll.is_motion
    if motion:
        options = [{"id": k, "label": str(motion_label(k))} for k in bulletin_format.MOTION_CHOICES]
    else:
        options = [
            {"id": c.pk, "label": c.label or c.unit.name}
            for c in poll.candidates.select_related("unit")
        ]
    voted = set(poll.casts.values_list("unit_id", flat=True))
    roll = {
        "members": poll.member_count or 0,
        "quorum_needed": poll.quorum_needed,
        "voters": [
            {"unit": unit, "name": name, "voted": unit in voted}
            for unit, name in poll.voters.values_list("unit_id", "name")
        ],
    }
    ballots = [
        bulletin_format.ballot_entry(marks=m, choice=c, invalid=i)
        for m, c, i in poll.ballots.values_list("marks", "choice", "invalid")
    ]
    paper = None
    if poll.mode == Poll.Mode.PAPER and poll.ballots_returned is not None:
        paper = {
            "issued": poll.ballots_issued,
            "returned": poll.ballots_returned,
            "invalid": poll.paper_invalid or 0,
            "blank": poll.paper_blank or 0,
            "votes": {
                str(pc.choice if motion else pc.candidate_id): pc.votes
                for pc in poll.paper_counts.all()
            },
        }
    named = None
    if poll.mode == Poll.Mode.OPEN:
        named = [
            {
                "unit": cast.unit_id,
                **bulletin_format.ballot_entry(
                    marks=cast.open_ballot.marks if cast.open_ballot else [],
                    choice=cast.open_ballot.choice if cast.open_ballot else "",
                    invalid=cast.open_ballot.invalid if cast.open_ballot else False,
                ),
            }
            for cast in poll.casts.select_related("open_ballot")
        ]
    data = bulletin_format.build(
        poll={
            "id": poll.pk,
            "title": poll.title,
            "kind": poll.kind,
            "mode": poll.mode,
            "round": poll.round_no,
        },
        rule={
            "seats": poll.seats,
            "max_marks": poll.max_marks,
            "base": poll.base,
            "numerator": poll.threshold_numerator,
            "denominator": poll.threshold_denominator,
            "strict": poll.threshold_strict,
            "blank_valid": poll.blank_valid,
            "allow_self_vote": poll.allow_self_vote,
            "runoff_rule": poll.runoff_rule,
            "basis": poll.basis,
            "blank_basis": poll.blank_basis,
        },
        options=options,
        roll=roll,
        receipts=list(poll.casts.exclude(receipt="").values_list("receipt", flat=True)),
        ballots=ballots,
        paper=paper,
        named=named,
    )
    if check:
        _check_seal(poll, data["digests"]["bulletin"])
    return data


def poll_bulletin_bundle(poll: Poll) -> dict:
    """The downloadable bundle: the sealed bulletin, plus the app's own count ("published",
    outside the seal) for the verifier to compare with its recount. Raises TallyTampered."""
    data = poll_bulletin(poll)
    outcome = poll_outcome(poll, apply_decision=False)
    c = outcome.counts
    keys = [o["id"] for o in data["options"]]
    decision = getattr(poll, "decision", None) if hasattr(poll, "decision") else None
    data["published"] = {
        "counts": {
            "returned": c.ballots,
            "valid": c.valid,
            "invalid": c.invalid_total,
            "blank": c.blank,
        },
        "votes": {str(k): c.votes.get(k, 0) for k in keys},
        "winners": list(outcome.winners),
        "tied": list(outcome.tied),
        "runoff": list(outcome.runoff),
        "adopted": outcome.adopted,
        "decision": {
            "winners": list(decision.winners.values_list("pk", flat=True)),
            "decided_by": decision.decided_by,
            "basis": decision.basis,
        }
        if decision is not None and decision.kind == PollDecision.Kind.TIE_BREAK
        else None,
    }
    return data


def _check_seal(poll: Poll, digest: str) -> None:
    sealed = [poll.seal_digest]
    event = (
        AuditEvent.objects.filter(
            object_type="meetings.poll", object_id=str(poll.pk), action="poll.close"
        )
        .order_by("-at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    if event and event.get("seal"):
        sealed.append(event["seal"])
    if not poll.seal_digest or any(s != digest for s in sealed):
        raise TallyTampered(poll.pk, f"sealed {sealed}, recomputed {digest}")


def poll_seal_check(poll: Poll) -> None:
    """Raise TallyTampered if a closed poll's data no longer matches its seal. For callers
    (documents) that print a result: call this, or `poll_result`, which calls it."""
    if (
        poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED)
        and poll.mode != Poll.Mode.REPORTED
    ):
        poll_bulletin(poll, check=True)


# --- results ---------------------------------------------------------------------------------


def poll_counts(poll: Poll) -> Counts:
    present = poll.roll_size or 0
    members = poll.member_count or 0
    if poll.mode == Poll.Mode.PAPER and poll.ballots_returned is not None:
        votes = {}
        for pc in poll.paper_counts.all():
            votes[pc.choice if poll.is_motion else pc.candidate_id] = pc.votes
        return Counts(
            votes,
            poll.ballots_returned or 0,
            poll.paper_invalid or 0,
            poll.paper_blank or 0,
            present,
            members,
            poll.blank_valid,
        )
    votes: dict = {}
    ballots = invalid = blank = 0
    for marks, choice, is_invalid in poll.ballots.values_list("marks", "choice", "invalid"):
        ballots += 1
        if is_invalid:
            invalid += 1
        elif poll.is_motion and choice:
            votes[choice] = votes.get(choice, 0) + 1
        elif not poll.is_motion and marks:
            for m in marks:
                votes[m] = votes.get(m, 0) + 1
        else:
            blank += 1
    return Counts(votes, ballots, invalid, blank, present, members, poll.blank_valid)


def poll_rule(poll: Poll) -> Rule:
    return Rule(
        poll.base, poll.threshold_numerator, poll.threshold_denominator, poll.threshold_strict
    )


def poll_outcome(poll: Poll, *, apply_decision: bool = True) -> Outcome | None:
    """The computed outcome of a closed poll (with a recorded tie-break or report applied).
    Raises TallyTampered when the stored ballots no longer match the seal."""
    if poll.status not in (Poll.Status.CLOSED, Poll.Status.PUBLISHED):
        return None
    decision = getattr(poll, "decision", None) if hasattr(poll, "decision") else None
    if poll.mode == Poll.Mode.REPORTED:
        return _reported_outcome(poll, decision)
    poll_seal_check(poll)
    counts = poll_counts(poll)
    if poll.is_motion:
        outcome = motion_outcome(counts=counts, rule=poll_rule(poll))
    else:
        candidates = [
            (c.pk, c.label or c.unit.name) for c in poll.candidates.select_related("unit")
        ]
        outcome = candidate_outcome(
            candidates=candidates,
            counts=counts,
            rule=poll_rule(poll),
            seats=poll.seats,
            runoff_rule=poll.runoff_rule,
            honour=poll.is_honour,
        )
    outcome.counts = counts
    if (
        apply_decision
        and decision is not None
        and decision.kind == PollDecision.Kind.TIE_BREAK
        and outcome.contested
    ):
        _apply_decision(poll, outcome, decision)
    return outcome


def _apply_decision(poll: Poll, outcome: Outcome, decision: PollDecision) -> None:
    from .results import _sentence

    picked = set(decision.winners.values_list("pk", flat=True))
    rule = poll_rule(poll)
    for line in outcome.lines:
        if line.key in outcome.runoff:
            won = line.key in picked
            line.status = "won" if won else "lost"
            line.sentence = _sentence(
                "decided_won" if won else "decided_lost",
                line.votes,
                outcome.base_count,
                rule,
                honour=outcome.honour,
                decided_by=decision.decided_by,
                basis=decision.basis,
            )
    outcome.winners = outcome.winners + [k for k in outcome.runoff if k in picked]
    outcome.summary += " " + _("Quyết định sau vòng cuối: %(decided_by)s (căn cứ: %(basis)s).") % {
        "decided_by": decision.decided_by,
        "basis": decision.basis,
    }
    outcome.tied, outcome.runoff, outcome.runoff_seats = [], [], 0


def _reported_outcome(poll: Poll, decision) -> Outcome:
    from .results import Line

    note = poll.reported_note or (decision.basis if decision else "")
    counts_said = "không được báo cáo" in note
    who = decision.decided_by if decision and decision.decided_by else ""
    values = {"note": note, "who": who}
    if poll.is_motion:
        adopted = bool(decision and decision.motion_adopted)
        templates = {
            (True, True): _("Hội nghị thống nhất thông qua (%(who)s) theo %(note)s."),
            (True, False): _("Hội nghị thống nhất thông qua theo %(note)s."),
            (False, True): _("Không được thông qua (%(who)s) theo %(note)s."),
            (False, False): _("Không được thông qua theo %(note)s."),
        }
        sentence = templates[(adopted, bool(who))] % values
        if not counts_said:
            sentence = sentence[:-1] + _("; số phiếu không được báo cáo.")
        line = Line(
            "yes",
            str(motion_label("yes")),
            0,
            "",
            adopted,
            "adopted" if adopted else "rejected",
            sentence,
        )
        return Outcome([line], summary=line.sentence, adopted=adopted)
    winners = set(decision.winners.values_list("pk", flat=True)) if decision else set()
    honour = poll.is_honour
    if honour:
        templates = {
            (True, True): _("Được suy tôn (%(who)s) theo %(note)s."),
            (True, False): _("Được suy tôn theo %(note)s."),
            (False, True): _("Không được suy tôn theo %(note)s."),
            (False, False): _("Không được suy tôn theo %(note)s."),
        }
    else:
        templates = {
            (True, True): _("Được chọn (%(who)s) theo %(note)s."),
            (True, False): _("Được chọn theo %(note)s."),
            (False, True): _("Không được chọn theo %(note)s."),
            (False, False): _("Không được chọn theo %(note)s."),
        }
    lines = []
    for c in poll.candidates.select_related("unit"):
        won = c.pk in winners
        sentence = templates[(won, bool(who))] % values
        if not counts_said:
            sentence = sentence[:-1] + _("; số phiếu không được báo cáo.")
        lines.append(
            Line(
                c.pk,
                c.label or c.unit.name,
                0,
                "",
                won,
                "won" if won else "lost",
                sentence,
                honour=honour,
            )
        )
    summary = _("Kết quả ghi nhận theo %(note)s.") % values
    if not counts_said:
        summary = summary[:-1] + _("; số phiếu không được báo cáo.")
    # Winners in the poll's candidate order (a set's order would differ from run to run).
    ordered = [line.key for line in lines if line.key in winners]
    return Outcome(lines, winners=ordered, summary=summary, honour=honour)


def low_turnout_note(poll: Poll) -> str:
    if not poll.is_electronic or poll.status not in (Poll.Status.CLOSED, Poll.Status.PUBLISHED):
        return ""
    voted, roll, needed = poll_turnout(poll)
    if voted >= needed:
        return ""
    return _(
        "Lưu ý: chỉ %(voted)s/%(roll)s đơn vị bỏ phiếu, dưới túc số %(needed)s đơn vị; "
        "chủ trì đã xác nhận kết thúc biểu quyết."
    ) % {"voted": voted, "roll": roll, "needed": needed}


def poll_result(poll: Poll) -> PollResult | None:
    """A closed poll's counted result as a typed value; None before close.

    For the documents app (minutes, count minutes) and exports. Raises TallyTampered when
    the stored ballots no longer match the digest sealed at close: the caller must then
    refuse to print the result (show the exception's message instead)."""
    outcome = poll_outcome(poll)
    if outcome is None:
        return None
    reported = poll.mode == Poll.Mode.REPORTED
    c = None if reported else outcome.counts
    options = []
    for line in outcome.lines:
        pct = (
            float(100 * line.votes / outcome.base_count)
            if (outcome.base_count and not reported)
            else None
        )
        options.append(
            OptionResult(
                key=line.key,
                label=line.label,
                votes=line.votes,
                percent=pct,
                percent_text=line.percent,
                status=line.status,
                elected=line.status in ("won", "adopted"),
                sentence=line.sentence,
                word=line.word,
            )
        )
    decision = getattr(poll, "decision", None) if hasattr(poll, "decision") else None
    decision_text = ""
    if decision is not None and decision.kind == PollDecision.Kind.TIE_BREAK:
        decision_text = _("%(kind)s: %(who)s (căn cứ: %(basis)s).") % {
            "kind": decision.get_kind_display(),
            "who": decision.decided_by,
            "basis": decision.basis,
        }
    labels = {line.key: line.label for line in outcome.lines}
    return PollResult(
        poll_id=poll.pk,
        title=poll.title,
        kind=poll.kind,
        mode=poll.mode,
        round_no=poll.round_no,
        is_motion=poll.is_motion,
        reported=reported,
        issued=(poll.ballots_issued if poll.mode == Poll.Mode.PAPER else poll.roll_size)
        if c
        else None,
        returned=c.ballots if c else None,
        valid=c.valid if c else None,
        invalid=c.invalid_total if c else None,
        blank=c.blank if c else None,
        present=poll.roll_size,
        members=poll.member_count,
        base=poll.base,
        base_label=str(poll.get_base_display()),
        base_count=outcome.base_count,
        rule=poll.rule_label,
        rule_basis=poll.basis,
        blank_rule=poll.blank_rule_label,
        seats=poll.seats,
        max_marks=poll.max_marks,
        options=tuple(options),
        winners=tuple(labels[k] for k in outcome.winners if k in labels),
        winner_ids=tuple(outcome.winners),
        adopted=outcome.adopted,
        tied=tuple(outcome.tied),
        runoff=tuple(outcome.runoff),
        outcome=outcome.summary,
        sentences=tuple(
            _("%(label)s: %(sentence)s") % {"label": o.label, "sentence": o.sentence}
            for o in options
        ),
        decision=decision_text,
        low_turnout=low_turnout_note(poll),
        digest=poll.seal_digest,
        roll_digest=poll.roll_hash,
    )


@transaction.atomic
def poll_record_reported(
    *,
    poll: Poll,
    winners: list[PollCandidate] | None = None,
    adopted: bool | None = None,
    decided_by: str = "",
    basis: str,
    meeting_url: str = "",
    actor=None,
) -> Poll:
    """Record an outcome whose counts were not reported (show of hands, a news report): published."""
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.mode != Poll.Mode.REPORTED:
        raise ValidationError(_("Chỉ dùng cho biểu quyết «chỉ ghi nhận kết quả»."))
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError(_("Kết quả đã được ghi nhận."))
    if not basis.strip():
        raise ValidationError({"basis": _("Cần ghi căn cứ (nguồn) của kết quả.")})
    winners = list(winners or [])
    if not poll.is_motion and len(winners) > poll.seats:
        raise ValidationError(_("Số đơn vị được chọn vượt số lượng cần chọn."))
    decision = PollDecision.objects.create(
        poll=poll,
        kind=PollDecision.Kind.REPORTED,
        decided_by=decided_by,
        basis=basis.strip(),
        motion_adopted=adopted,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.winners.set(winners)
    day = meeting_date(poll.meeting)
    for c in poll.candidates.select_related("unit"):
        c.label = c.label or c.unit.name_on(day)
        c.save(update_fields=["label"])
    poll.reported_note = poll.reported_note or basis.strip()
    poll.status = Poll.Status.PUBLISHED
    poll.closed_at = poll.published_at = timezone.now()
    poll.member_count = len(member_units(poll.meeting))
    poll.save()
    audit(
        actor=actor,
        action="poll.record_reported",
        obj=poll,
        summary=_("Ghi nhận kết quả: %(poll)s") % {"poll": poll.title},
        data={"winners": [w.unit_id for w in winners], "adopted": adopted, "basis": basis},
    )
    _flow_winners(poll, [w.pk for w in winners], meeting_url=meeting_url, actor=actor)
    return poll


@transaction.atomic
def poll_record_tie_break(
    *, poll: Poll, winners: list[PollCandidate], decided_by: str, basis: str, actor=None
) -> PollDecision:
    """After the last round, the bloc's rule decides the seats still contested: a tie at the
    cut-off, or seats nobody reached the threshold for."""
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.status != Poll.Status.CLOSED:
        raise ValidationError(_("Chỉ ghi quyết định khi biểu quyết đã kết thúc và chưa công bố."))
    if hasattr(poll, "decision"):
        raise ValidationError(_("Đã có quyết định cho biểu quyết này."))
    outcome = poll_outcome(poll)
    if not outcome or not outcome.contested:
        raise ValidationError(
            _("Không có suất nào cần quyết định (không bằng phiếu, không còn suất trống).")
        )
    if poll.round_no < poll.max_rounds:
        raise ValidationError(
            _("Còn được bỏ phiếu vòng sau (tối đa %(n)s vòng); hãy tạo vòng bỏ phiếu lại.")
            % {"n": poll.max_rounds}
        )
    if {w.pk for w in winners} - set(outcome.runoff):
        raise ValidationError(_("Chỉ chọn trong các đơn vị dẫn đầu còn tranh suất."))
    if len(winners) != outcome.runoff_seats:
        raise ValidationError(_("Cần chọn đúng %(n)s đơn vị.") % {"n": outcome.runoff_seats})
    if not basis.strip() or not decided_by.strip():
        raise ValidationError(_("Cần ghi người quyết định và căn cứ."))
    decision = PollDecision.objects.create(
        poll=poll,
        kind=PollDecision.Kind.TIE_BREAK,
        decided_by=decided_by.strip(),
        basis=basis.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.winners.set(winners)
    audit(
        actor=actor,
        action="poll.tie_break",
        obj=poll,
        summary=_("Quyết định sau vòng cuối: %(poll)s") % {"poll": poll.title},
        data={"winners": [w.unit_id for w in winners], "decided_by": decided_by, "basis": basis},
    )
    return decision


def runoff_possible(poll: Poll, outcome: Outcome | None) -> bool:
    return bool(
        outcome
        and outcome.contested
        and poll.round_no < poll.max_rounds
        and not poll.runoffs.exists()
    )


def decision_needed(poll: Poll, outcome: Outcome | None) -> bool:
    return bool(
        outcome
        and outcome.contested
        and poll.round_no >= poll.max_rounds
        and poll.status == Poll.Status.CLOSED
    )


@transaction.atomic
def poll_runoff_create(*, poll: Poll, actor=None) -> Poll:
    """A new round between the leading candidates for the seats still contested (a tie at the
    cut-off, or seats nobody reached the threshold for). The closed poll stays as it was."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=poll.pk)
    outcome = poll_outcome(poll)
    if not outcome or not outcome.contested:
        raise ValidationError(_("Không có suất nào cần bỏ phiếu lại."))
    if poll.round_no >= poll.max_rounds:
        raise ValidationError(
            _("Đã đủ %(n)s vòng; kết quả do quy chế quyết định.") % {"n": poll.max_rounds}
        )
    if poll.runoffs.exists():
        raise ValidationError(_("Đã tạo vòng bỏ phiếu lại."))
    units = list(
        Unit.objects.filter(
            pk__in=PollCandidate.objects.filter(pk__in=outcome.runoff).values("unit_id")
        )
    )
    base_title = poll.previous.title if poll.previous_id else poll.title
    runoff = poll_create(
        meeting=poll.meeting,
        kind=poll.kind,
        title=_("%(title)s – vòng %(n)s") % {"title": base_title, "n": poll.round_no + 1},
        award_title=poll.award_title,
        mode=poll.mode,
        seats=outcome.runoff_seats,
        max_marks=min(poll.max_marks, outcome.runoff_seats),
        base=poll.base,
        threshold_numerator=poll.threshold_numerator,
        threshold_denominator=poll.threshold_denominator,
        threshold_strict=poll.threshold_strict,
        allow_self_vote=poll.allow_self_vote,
        basis=poll.basis,
        blank_valid=poll.blank_valid,
        blank_basis=poll.blank_basis,
        runoff_rule=poll.runoff_rule,
        round_no=poll.round_no + 1,
        previous=poll,
        max_rounds=poll.max_rounds,
        tie_break_rule=poll.tie_break_rule,
        counting_committee=poll.counting_committee,
        candidates=units,
        actor=actor,
    )
    return runoff


def _flow_winners(poll: Poll, winner_ids: list[int], *, meeting_url: str = "", actor=None) -> None:
    """Winners go on: award polls propose awards; elections set next year's leader/deputy."""
    if not winner_ids:
        return
    meeting = poll.meeting
    units = list(
        Unit.objects.filter(
            pk__in=PollCandidate.objects.filter(pk__in=winner_ids).values("unit_id")
        )
    )
    day = meeting_date(meeting)
    label = meeting.label
    if poll.kind == Poll.Kind.AWARD:
        from awards.services import award_propose_from_poll

        award_propose_from_poll(
            bloc_year=meeting.bloc_year,
            award_title=poll.award_title,
            unit_ids=[u.pk for u in units],
            source_label=_("%(poll)s – %(meeting)s") % {"poll": poll.title, "meeting": label},
            source_url=meeting_url,
            proposed_on=day,
            actor=actor,
        )
    elif poll.kind in (Poll.Kind.LEADER, Poll.Kind.DEPUTY):
        from blocs.services import bloc_year_create, leadership_record_election

        bloc = meeting.bloc_year.bloc
        next_year = BlocYear.objects.filter(bloc=bloc, year=meeting.bloc_year.year + 1).first()
        if next_year is None:
            next_year = bloc_year_create(
                bloc=bloc, year=meeting.bloc_year.year + 1, copy_members=True, actor=actor
            )
        for unit in units:
            leadership_record_election(
                bloc_year=next_year,
                role=poll.kind,
                unit=unit,
                meeting_label=label,
                meeting_url=meeting_url,
                elected_on=day,
                actor=actor,
            )


@transaction.atomic
def poll_publish(*, poll: Poll, meeting_url: str = "", actor=None) -> Poll:
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("meeting__bloc_year__bloc", "award_title")
        .get(pk=poll.pk)
    )
    if poll.status != Poll.Status.CLOSED:
        raise ValidationError(_("Chỉ công bố được biểu quyết đã kết thúc."))
    outcome = poll_outcome(poll)  # raises TallyTampered: a tampered result is never published
    poll.status = Poll.Status.PUBLISHED
    poll.published_at = timezone.now()
    poll.save()
    audit(
        actor=actor,
        action="poll.publish",
        obj=poll,
        summary=_("Công bố kết quả: %(poll)s") % {"poll": poll.title},
        data={
            "seal": poll.seal_digest,
            "winners": list(outcome.winners),
            "adopted": outcome.adopted,
        },
    )
    _flow_winners(poll, list(outcome.winners), meeting_url=meeting_url, actor=actor)
    return poll


def poll_progress(poll: Poll) -> tuple[int, int]:
    """(k, n): how many of the roll have voted. Never partial results."""
    return poll.casts.count(), poll.roll_size or 0


# --- paper ballots ---------------------------------------------------------------------------


def _check_paper_complete(poll: Poll) -> None:
    if poll.ballots_returned is None and not poll.ballots.exists():
        raise ValidationError(_("Ban kiểm phiếu chưa nhập kết quả kiểm phiếu."))
    if not poll.counting_committee.strip():
        raise ValidationError(_("Chưa ghi thành phần Ban kiểm phiếu."))


@transaction.atomic
def paper_counts_save(
    *,
    poll: Poll,
    votes: dict,
    ballots_issued: int,
    ballots_returned: int,
    invalid: int,
    blank: int,
    committee: str,
    actor=None,
) -> Poll:
    """The counting committee's figures. Checked for consistency; results are then computed."""
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Chỉ nhập kết quả kiểm phiếu cho biểu quyết phiếu giấy đang mở."))
    if poll.ballots.exists():
        raise ValidationError(_("Đã nhập từng phiếu; kết quả được tính từ các phiếu đã nhập."))
    errors = []
    if ballots_returned > ballots_issued:
        errors.append(_("Số phiếu thu về không được lớn hơn số phiếu phát ra."))
    if ballots_issued > (poll.roll_size or 0):
        errors.append(
            _("Số phiếu phát ra không được lớn hơn số đơn vị có quyền biểu quyết (%(n)s).")
            % {"n": poll.roll_size}
        )
    if invalid + blank > ballots_returned:
        errors.append(_("Số phiếu không hợp lệ và phiếu trắng vượt số phiếu thu về."))
    marked = ballots_returned - invalid - blank
    for _key, n in votes.items():
        if n > marked:
            errors.append(
                _("Số phiếu của một lựa chọn vượt số phiếu hợp lệ có đánh dấu (%(n)s).")
                % {"n": marked}
            )
            break
    if poll.is_motion and sum(votes.values()) != marked:
        errors.append(
            _(
                "Tổng phiếu Tán thành, Không tán thành, Không ý kiến phải bằng số phiếu hợp lệ "
                "không trắng (%(n)s)."
            )
            % {"n": marked}
        )
    if not poll.is_motion and sum(votes.values()) > marked * poll.max_marks:
        errors.append(_("Tổng số phiếu bầu vượt quá số phiếu hợp lệ × số đánh dấu tối đa."))
    if not committee.strip():
        errors.append(_("Cần ghi thành phần Ban kiểm phiếu."))
    if errors:
        raise ValidationError(errors)
    poll.paper_counts.all().delete()
    if poll.is_motion:
        PaperCount.objects.bulk_create(
            PaperCount(poll=poll, choice=k, votes=v) for k, v in votes.items()
        )
    else:
        PaperCount.objects.bulk_create(
            PaperCount(poll=poll, candidate_id=k, votes=v) for k, v in votes.items()
        )
    poll.ballots_issued, poll.ballots_returned = ballots_issued, ballots_returned
    poll.paper_invalid, poll.paper_blank = invalid, blank
    poll.counting_committee = committee.strip()
    poll.save()
    audit(
        actor=actor,
        action="poll.paper_counts",
        obj=poll,
        summary=_("Nhập kết quả kiểm phiếu: %(poll)s") % {"poll": poll.title},
        data={"issued": ballots_issued, "returned": ballots_returned},
    )
    return poll


@transaction.atomic
def paper_ballot_add(
    *,
    poll: Poll,
    marks: list[int] | None = None,
    choice: str = "",
    invalid: bool = False,
    actor=None,
) -> int:
    """The counting committee enters one paper ballot (paper ballots carry no number; nothing
    is stored that follows the order of entry). Returns how many are entered now."""
    poll = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Chỉ nhập phiếu cho biểu quyết phiếu giấy đang mở."))
    if poll.paper_counts.exists():
        raise ValidationError(
            _("Đã nhập kết quả theo số liệu tổng hợp; không nhập thêm từng phiếu.")
        )
    entered = poll.ballots.count()
    if entered >= (poll.ballots_issued or poll.roll_size or 0):
        raise ValidationError(_("Đã nhập đủ số phiếu phát ra (%(n)s).") % {"n": entered})
    marks = sorted({int(m) for m in (marks or [])})
    if invalid:
        marks, choice = [], ""
    elif poll.is_motion:
        marks = []
        if choice not in ("", *Ballot.Choice.values):
            raise ValidationError(_("Lựa chọn không hợp lệ."))
    else:
        choice = ""
        ids = set(poll.candidates.values_list("pk", flat=True))
        if any(m not in ids for m in marks):
            raise ValidationError(_("Phiếu có ứng viên không thuộc danh sách."))
        if len(marks) > poll.max_marks:
            raise ValidationError(
                _("Phiếu đánh dấu quá %(n)s đơn vị: hãy ghi là phiếu không hợp lệ.")
                % {"n": poll.max_marks}
            )
    Ballot.objects.create(
        poll=poll, marks=marks, choice=choice, invalid=invalid, source=Ballot.Source.PAPER
    )
    audit(
        actor=actor,
        action="poll.paper_ballot",
        obj=poll,
        summary=_("Nhập một phiếu giấy (%(n)s đã nhập)") % {"n": entered + 1},
    )
    return entered + 1


def poll_paper_data(poll: Poll) -> dict:
    """What the paper-ballot PDF needs (documents app): poll, rule, candidates, number of ballots."""
    meeting = poll.meeting
    return {
        "poll": poll,
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "title": poll.title,
        "kind": poll.kind,
        "is_motion": poll.is_motion,
        "choices": [label for _value, label in Ballot.Choice.choices] if poll.is_motion else [],
        "candidates": [c.unit for c in poll.candidates.select_related("unit")],
        "seats": poll.seats,
        "max_marks": poll.max_marks,
        "rule": poll.rule_label,
        "blank_rule": poll.blank_rule_label,
        "basis": poll.basis,
        "ballots": poll.ballots_issued or poll.roll_size or quorum(meeting).present,
    }
