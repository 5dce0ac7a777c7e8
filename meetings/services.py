"""Meeting and voting operations. Keyword-only, atomic, audited (never with ballot contents)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from blocs.models import BlocYear, Membership, Unit
from blocs.services import audit

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
from .results import Counts, Outcome, Rule, candidate_outcome, motion_outcome

POLL_LOCK_CLASS = 7401  # advisory-lock namespace for polls (PostgreSQL)


class VoteRefused(Exception):
    """A ballot that cannot be accepted; the message is shown to the voter."""


# --- meetings --------------------------------------------------------------------------------


def member_units(meeting: Meeting) -> list[Unit]:
    """Member units of the bloc-year on the meeting's date."""
    day = timezone.localtime(meeting.starts_at).date()
    memberships = Membership.objects.filter(bloc_year_id=meeting.bloc_year_id).select_related(
        "unit"
    )
    return sorted((m.unit for m in memberships if m.active_on(day)), key=lambda u: u.name)


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
    audit(actor=actor, action="meeting.guest.add", obj=meeting, summary=f"Khách mời: {guest}")
    return guest


@transaction.atomic
def guest_remove(*, guest: Guest, actor=None) -> None:
    meeting = guest.meeting
    audit(actor=actor, action="meeting.guest.remove", obj=meeting, summary=f"Bỏ khách mời: {guest}")
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


def quorum(meeting: Meeting) -> Quorum:
    bloc = meeting.bloc_year.bloc
    members = member_units(meeting)
    ids = {u.pk for u in members}
    present = meeting.attendances.filter(status=Attendance.Status.PRESENT, unit_id__in=ids).count()
    return Quorum(
        len(members),
        present,
        bloc.quorum_needed(len(members)),
        bloc.quorum_numerator,
        bloc.quorum_denominator,
        bloc.quorum_basis,
    )


@transaction.atomic
def attendance_mark(
    *, meeting: Meeting, unit: Unit, status: str, reason: str = "", delegates: str = "", actor=None
) -> Attendance:
    if unit.pk not in {u.pk for u in member_units(meeting)}:
        raise ValidationError("Đơn vị không phải thành viên của khối vào ngày hội nghị.")
    if status == Attendance.Status.ABSENT and not reason.strip():
        raise ValidationError({"reason": "Cần ghi lý do vắng mặt."})
    row, _ = Attendance.objects.get_or_create(meeting=meeting, unit=unit)
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
        summary=f"{unit.name}: {row.get_status_display()}",
        data={"unit": unit.pk, "status": status},
    )
    return row


@transaction.atomic
def checkin_codes_issue(*, meeting: Meeting, actor=None) -> int:
    """Give every unit not yet present a fresh one-time check-in code."""
    attendance_ensure_rows(meeting=meeting)
    rows = list(meeting.attendances.exclude(status=Attendance.Status.PRESENT))
    for row in rows:
        row.checkin_code = random_code(8)
    Attendance.objects.bulk_update(rows, ["checkin_code"])
    audit(
        actor=actor,
        action="attendance.codes",
        obj=meeting,
        summary=f"Phát {len(rows)} mã điểm danh",
    )
    return len(rows)


@transaction.atomic
def checkin_with_code(*, code: str, delegates: str = "") -> Attendance:
    """A delegate checks their unit in. The code works once."""
    code = (code or "").strip().upper().replace(" ", "")
    row = (
        Attendance.objects.select_for_update()
        .select_related("meeting", "unit")
        .filter(checkin_code=code)
        .first()
        if code
        else None
    )
    if row is None:
        raise ValidationError({"code": "Mã điểm danh không đúng hoặc đã được dùng."})
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
        summary=f"{row.unit.name} tự điểm danh",
        data={"unit": row.unit_id},
    )
    return row


# --- polls -----------------------------------------------------------------------------------


def _check_candidates(poll: Poll, units: list[Unit]) -> None:
    members = {u.pk for u in member_units(poll.meeting)}
    outsiders = [u.name for u in units if u.pk not in members]
    if outsiders:
        raise ValidationError(
            {"candidates": "Không phải đơn vị thành viên: {}.".format(", ".join(outsiders))}
        )
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"candidates": "Một đơn vị được chọn hai lần."})


@transaction.atomic
def poll_create(
    *,
    meeting: Meeting,
    candidates: list[Unit] | None = None,
    nomination_ids: dict | None = None,
    actor=None,
    **fields,
) -> Poll:
    poll = Poll(meeting=meeting, **fields)
    if poll.kind in (Poll.Kind.LEADER, Poll.Kind.DEPUTY):
        poll.seats = 1
    if poll.kind != Poll.Kind.AWARD:
        poll.award_title = None
    if poll.is_motion:
        poll.seats = 1
        poll.max_marks = 1
    poll.full_clean()
    if not poll.is_motion and poll.max_marks > poll.seats:
        raise ValidationError(
            {"max_marks": "Số đánh dấu tối đa không được vượt số lượng cần chọn."}
        )
    poll.save()
    if not poll.is_motion:
        units = list(candidates or [])
        _check_candidates(poll, units)
        PollCandidate.objects.bulk_create(
            PollCandidate(
                poll=poll, unit=u, order=i, nomination_id=(nomination_ids or {}).get(u.pk)
            )
            for i, u in enumerate(units, start=1)
        )
    audit(
        actor=actor,
        action="poll.create",
        obj=poll,
        summary=f"{meeting.label}: {poll.title}",
        data={"kind": poll.kind, "mode": poll.mode, "round": poll.round_no},
    )
    return poll


@transaction.atomic
def poll_update(*, poll: Poll, candidates: list[Unit] | None = None, actor=None, **fields) -> Poll:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError("Chỉ sửa được biểu quyết ở trạng thái nháp.")
    for name, value in fields.items():
        setattr(poll, name, value)
    if poll.kind in (Poll.Kind.LEADER, Poll.Kind.DEPUTY, Poll.Kind.MOTION):
        poll.seats = 1
    if poll.is_motion:
        poll.max_marks = 1
    poll.full_clean()
    if not poll.is_motion and poll.max_marks > poll.seats:
        raise ValidationError(
            {"max_marks": "Số đánh dấu tối đa không được vượt số lượng cần chọn."}
        )
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
    """Freeze the roll (present units), store its hash, issue one-time ballot codes."""
    poll = (
        Poll.objects.select_for_update().select_related("meeting__bloc_year__bloc").get(pk=poll.pk)
    )
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError("Biểu quyết không ở trạng thái nháp.")
    if poll.mode == Poll.Mode.REPORTED:
        raise ValidationError(
            "Biểu quyết chỉ ghi nhận kết quả không mở bỏ phiếu; hãy ghi nhận kết quả."
        )
    if not poll.is_motion:
        n = poll.candidates.count()
        if n == 0:
            raise ValidationError("Chưa có ứng viên.")
    q = quorum(poll.meeting)
    if not q.reached:
        raise ValidationError(
            f"Chưa đủ túc số: {q.present}/{q.members} đơn vị có mặt, cần ít nhất {q.needed} ({q.numerator}/{q.denominator})."
        )
    members = {u.pk for u in member_units(poll.meeting)}
    present = list(
        poll.meeting.attendances.filter(status=Attendance.Status.PRESENT, unit_id__in=members)
        .select_related("unit")
        .order_by("unit__name")
    )
    used: set[str] = set()
    voters = []
    for row in present:
        code = random_code(8)
        while code in used:
            code = random_code(8)
        used.add(code)
        voters.append(PollVoter(poll=poll, unit=row.unit, code=code))
    PollVoter.objects.bulk_create(voters)
    poll.roll_size = len(voters)
    poll.member_count = len(members)
    poll.roll_hash = roll_digest(poll, [(v.unit_id, v.unit.name) for v in voters])
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    if poll.mode == Poll.Mode.PAPER and poll.ballots_issued is None:
        poll.ballots_issued = len(voters)
    poll.save()
    audit(
        actor=actor,
        action="poll.open",
        obj=poll,
        summary=f"Mở biểu quyết: {poll.title}",
        data={
            "roll_size": poll.roll_size,
            "roll_hash": poll.roll_hash,
            "quorum": [q.present, q.members],
        },
    )
    return poll


def _lock_poll(poll_id: int, *, shared: bool) -> None:
    """Casting takes a shared advisory lock, closing an exclusive one: ballots never wait for
    each other (no row lock on the poll), and no ballot slips in while a poll closes."""
    if connection.vendor == "postgresql":
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {fn}(%s, %s)", [POLL_LOCK_CLASS, poll_id])


def ballot_cast(
    *,
    code: str = "",
    marks: list[int] | None = None,
    choice: str = "",
    voter: PollVoter | None = None,
    candidates: dict[int, int] | None = None,
) -> str:
    """Cast one ballot with a one-time ballot code. Returns the receipt code.

    `voter` (with its poll) and `candidates` ({candidate id: unit id}) may be passed by a caller
    that has already loaded them; the poll's status is re-read under the lock either way."""
    if voter is None:
        code = (code or "").strip().upper()
        voter = PollVoter.objects.select_related("poll").filter(code=code).first() if code else None
    if voter is None:
        raise VoteRefused("Mã phiếu bầu không đúng.")
    poll = voter.poll
    if poll.status != Poll.Status.OPEN:
        raise VoteRefused("Biểu quyết không mở (đã kết thúc hoặc chưa bắt đầu).")
    if poll.mode not in (Poll.Mode.SECRET, Poll.Mode.OPEN):
        raise VoteRefused("Biểu quyết này không bỏ phiếu điện tử.")
    marks = sorted({int(m) for m in (marks or [])})
    if poll.is_motion:
        marks = []
        if choice not in ("", *Ballot.Choice.values):
            raise VoteRefused("Lựa chọn không hợp lệ.")
    else:
        choice = ""
        if candidates is None:
            candidates = dict(poll.candidates.values_list("pk", "unit_id"))
        if any(m not in candidates for m in marks):
            raise VoteRefused("Phiếu có ứng viên không thuộc danh sách.")
        if len(marks) > poll.max_marks:
            raise VoteRefused(f"Chỉ được chọn tối đa {poll.max_marks} đơn vị.")
        if not poll.allow_self_vote and any(candidates[m] == voter.unit_id for m in marks):
            raise VoteRefused("Theo quy chế, đơn vị không được bỏ phiếu cho chính mình.")
    receipt = random_code(10)
    try:
        with transaction.atomic():
            _lock_poll(poll.pk, shared=True)
            status = Poll.objects.filter(pk=poll.pk).values_list("status", flat=True).get()
            if status != Poll.Status.OPEN:
                raise VoteRefused("Biểu quyết đã kết thúc, phiếu không được nhận.")
            ballot = Ballot.objects.create(
                poll_id=poll.pk, receipt=receipt, marks=marks, choice=choice
            )
            VoteCast.objects.create(
                poll_id=poll.pk,
                unit_id=voter.unit_id,
                open_ballot=ballot if poll.mode == Poll.Mode.OPEN else None,
            )
    except IntegrityError:
        raise VoteRefused("Đơn vị đã bỏ phiếu trong biểu quyết này.") from None
    return receipt


def ballot_canonical(poll_id: int, b: Ballot) -> str:
    return json.dumps(
        {
            "poll": poll_id,
            "receipt": b.receipt,
            "marks": list(b.marks),
            "choice": b.choice,
            "invalid": b.invalid,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def chain(poll: Poll, ballots: list[Ballot]) -> str:
    """Hash chain over ballots in canonical order (by receipt); sets each ballot's chain_hash."""
    h = hashlib.sha256(f"poll:{poll.pk}:roll:{poll.roll_hash}".encode()).hexdigest()
    for b in sorted(ballots, key=lambda b: b.receipt):
        h = hashlib.sha256((h + ballot_canonical(poll.pk, b)).encode()).hexdigest()
        b.chain_hash = h
    return h


def verify_chain(poll: Poll) -> bool:
    ballots = list(poll.ballots.all())
    stored = {b.receipt: b.chain_hash for b in ballots}
    final = chain(poll, ballots)
    return final == poll.chain_hash and all(stored[b.receipt] == b.chain_hash for b in ballots)


@transaction.atomic
def poll_close(*, poll: Poll, actor=None) -> Poll:
    """Close for good. Waits for ballots being cast, then refuses any later one."""
    _lock_poll(poll.pk, shared=False)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise ValidationError("Chỉ kết thúc được biểu quyết đang mở.")
    if poll.mode == Poll.Mode.PAPER:
        _check_paper_complete(poll)
    ballots = list(poll.ballots.all())
    if poll.mode == Poll.Mode.SECRET:
        # Rewrite in a random order with fresh random keys: nothing joins them to VoteCast.
        poll.chain_hash = chain(poll, ballots)
        random.SystemRandom().shuffle(ballots)
        poll.ballots.all().delete()
        Ballot.objects.bulk_create(
            Ballot(
                id=uuid.uuid4(),
                poll_id=poll.pk,
                receipt=b.receipt,
                marks=b.marks,
                choice=b.choice,
                invalid=b.invalid,
                source=b.source,
                chain_hash=b.chain_hash,
            )
            for b in ballots
        )
    else:
        poll.chain_hash = chain(poll, ballots)
        Ballot.objects.bulk_update(ballots, ["chain_hash"])
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save()
    audit(
        actor=actor,
        action="poll.close",
        obj=poll,
        summary=f"Kết thúc biểu quyết: {poll.title}",
        data={"ballots": len(ballots), "voted": poll.casts.count(), "chain_hash": poll.chain_hash},
    )
    return poll


# --- paper ballots ---------------------------------------------------------------------------


def _check_paper_complete(poll: Poll) -> None:
    if poll.ballots_returned is None and not poll.ballots.exists():
        raise ValidationError("Ban kiểm phiếu chưa nhập kết quả kiểm phiếu.")
    if not poll.counting_committee.strip():
        raise ValidationError("Chưa ghi thành phần Ban kiểm phiếu.")


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
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise ValidationError("Chỉ nhập kết quả kiểm phiếu cho biểu quyết phiếu giấy đang mở.")
    if poll.ballots.exists():
        raise ValidationError("Đã nhập từng phiếu; kết quả được tính từ các phiếu đã nhập.")
    errors = []
    if ballots_returned > ballots_issued:
        errors.append("Số phiếu thu về không được lớn hơn số phiếu phát ra.")
    if ballots_issued > (poll.roll_size or 0):
        errors.append(
            f"Số phiếu phát ra không được lớn hơn số đơn vị có quyền biểu quyết ({poll.roll_size})."
        )
    if invalid + blank > ballots_returned:
        errors.append("Số phiếu không hợp lệ và phiếu trắng vượt số phiếu thu về.")
    valid = ballots_returned - invalid
    marked = valid - blank
    for _key, n in votes.items():
        if n > marked:
            errors.append(f"Số phiếu của một lựa chọn vượt số phiếu hợp lệ có đánh dấu ({marked}).")
            break
    if poll.is_motion and sum(votes.values()) != marked:
        errors.append(
            f"Tổng phiếu Tán thành, Không tán thành, Không ý kiến phải bằng số phiếu hợp lệ không trắng ({marked})."
        )
    if not poll.is_motion and sum(votes.values()) > marked * poll.max_marks:
        errors.append("Tổng số phiếu bầu vượt quá số phiếu hợp lệ × số đánh dấu tối đa.")
    if not committee.strip():
        errors.append("Cần ghi thành phần Ban kiểm phiếu.")
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
        summary=f"Nhập kết quả kiểm phiếu: {poll.title}",
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
) -> Ballot:
    """The counting committee enters one paper ballot. Its serial (P0001…) is its receipt."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise ValidationError("Chỉ nhập phiếu cho biểu quyết phiếu giấy đang mở.")
    if poll.paper_counts.exists():
        raise ValidationError("Đã nhập kết quả theo số liệu tổng hợp; không nhập thêm từng phiếu.")
    entered = poll.ballots.count()
    if entered >= (poll.ballots_issued or poll.roll_size or 0):
        raise ValidationError(f"Đã nhập đủ số phiếu phát ra ({entered}).")
    marks = sorted({int(m) for m in (marks or [])})
    if invalid:
        marks, choice = [], ""
    elif poll.is_motion:
        marks = []
        if choice not in ("", *Ballot.Choice.values):
            raise ValidationError("Lựa chọn không hợp lệ.")
    else:
        choice = ""
        ids = set(poll.candidates.values_list("pk", flat=True))
        if any(m not in ids for m in marks):
            raise ValidationError("Phiếu có ứng viên không thuộc danh sách.")
        if len(marks) > poll.max_marks:
            raise ValidationError(
                f"Phiếu đánh dấu quá {poll.max_marks} đơn vị: hãy ghi là phiếu không hợp lệ."
            )
    ballot = Ballot.objects.create(
        poll=poll,
        receipt=f"P{entered + 1:04d}",
        marks=marks,
        choice=choice,
        invalid=invalid,
        source=Ballot.Source.PAPER,
    )
    audit(
        actor=actor,
        action="poll.paper_ballot",
        obj=poll,
        summary=f"Nhập phiếu giấy số {ballot.receipt}",
    )
    return ballot


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
        "choices": [label for _, label in Ballot.Choice.choices] if poll.is_motion else [],
        "candidates": [c.unit for c in poll.candidates.select_related("unit")],
        "seats": poll.seats,
        "max_marks": poll.max_marks,
        "rule": poll.rule_label,
        "basis": poll.basis,
        "ballots": poll.ballots_issued or poll.roll_size or quorum(meeting).present,
    }


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
        )
    votes: dict = {}
    ballots = invalid = blank = 0
    for marks, choice, is_invalid in poll.ballots.values_list("marks", "choice", "invalid"):
        ballots += 1
        if is_invalid:
            invalid += 1
            continue
        if poll.is_motion:
            if choice:
                votes[choice] = votes.get(choice, 0) + 1
            else:
                blank += 1
        elif marks:
            for m in marks:
                votes[m] = votes.get(m, 0) + 1
        else:
            blank += 1
    return Counts(votes, ballots, invalid, blank, present, members)


def poll_rule(poll: Poll) -> Rule:
    return Rule(
        poll.base, poll.threshold_numerator, poll.threshold_denominator, poll.threshold_strict
    )


def poll_outcome(poll: Poll) -> Outcome | None:
    """The computed outcome of a closed poll (with a recorded tie-break or report applied)."""
    if poll.status not in (Poll.Status.CLOSED, Poll.Status.PUBLISHED):
        return None
    decision = getattr(poll, "decision", None) if hasattr(poll, "decision") else None
    if poll.mode == Poll.Mode.REPORTED:
        return _reported_outcome(poll, decision)
    counts = poll_counts(poll)
    if poll.is_motion:
        outcome = motion_outcome(counts=counts, rule=poll_rule(poll))
    else:
        candidates = [(c.pk, c.unit.name) for c in poll.candidates.select_related("unit")]
        outcome = candidate_outcome(
            candidates=candidates, counts=counts, rule=poll_rule(poll), seats=poll.seats
        )
    outcome.counts = counts
    if decision is not None and decision.kind == PollDecision.Kind.TIE_BREAK and outcome.tied:
        picked = set(decision.winners.values_list("pk", flat=True))
        for line in outcome.lines:
            if line.key in outcome.tied:
                if line.key in picked:
                    line.status = "won"
                    line.sentence = line.sentence.split("; bằng phiếu")[0] + (
                        f"; trúng cử theo quyết định của {decision.decided_by} (căn cứ: {decision.basis})"
                    )
                else:
                    line.status = "lost"
                    line.sentence = line.sentence.split("; bằng phiếu")[0] + (
                        f"; không được chọn theo quyết định của {decision.decided_by}"
                    )
        outcome.winners = outcome.winners + [k for k in outcome.tied if k in picked]
        outcome.summary += (
            f" Quyết định khi bằng phiếu: {decision.decided_by} (căn cứ: {decision.basis})."
        )
        outcome.tied = []
    return outcome


def _reported_outcome(poll: Poll, decision) -> Outcome:
    from .results import Line

    note = poll.reported_note or (decision.basis if decision else "")
    suffix = "" if "không được báo cáo" in note else "; số phiếu không được báo cáo"
    who = f" ({decision.decided_by})" if decision and decision.decided_by else ""
    if poll.is_motion:
        adopted = bool(decision and decision.motion_adopted)
        text = "Hội nghị thống nhất thông qua" if adopted else "Không được thông qua"
        line = Line(
            "yes",
            "Tán thành",
            0,
            "",
            adopted,
            "adopted" if adopted else "rejected",
            f"{text}{who} theo {note}{suffix}.",
        )
        return Outcome([line], summary=line.sentence, adopted=adopted)
    winners = set(decision.winners.values_list("pk", flat=True)) if decision else set()
    lines = []
    for c in poll.candidates.select_related("unit"):
        won = c.pk in winners
        sentence = (f"Được chọn{who}" if won else "Không được chọn") + f" theo {note}{suffix}."
        lines.append(Line(c.pk, c.unit.name, 0, "", won, "won" if won else "lost", sentence))
    return Outcome(lines, winners=list(winners), summary=f"Kết quả ghi nhận theo {note}{suffix}.")


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
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.mode != Poll.Mode.REPORTED:
        raise ValidationError("Chỉ dùng cho biểu quyết «chỉ ghi nhận kết quả».")
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError("Kết quả đã được ghi nhận.")
    if not basis.strip():
        raise ValidationError({"basis": "Cần ghi căn cứ (nguồn) của kết quả."})
    winners = list(winners or [])
    if not poll.is_motion and len(winners) > poll.seats:
        raise ValidationError("Số đơn vị được chọn vượt số lượng cần chọn.")
    decision = PollDecision.objects.create(
        poll=poll,
        kind=PollDecision.Kind.REPORTED,
        decided_by=decided_by,
        basis=basis.strip(),
        motion_adopted=adopted,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.winners.set(winners)
    poll.reported_note = poll.reported_note or basis.strip()
    poll.status = Poll.Status.PUBLISHED
    poll.closed_at = poll.published_at = timezone.now()
    poll.member_count = len(member_units(poll.meeting))
    poll.save()
    audit(
        actor=actor,
        action="poll.record_reported",
        obj=poll,
        summary=f"Ghi nhận kết quả: {poll.title}",
        data={"winners": [w.unit_id for w in winners], "adopted": adopted, "basis": basis},
    )
    _flow_winners(poll, [w.pk for w in winners], meeting_url=meeting_url, actor=actor)
    return poll


@transaction.atomic
def poll_record_tie_break(
    *, poll: Poll, winners: list[PollCandidate], decided_by: str, basis: str, actor=None
) -> PollDecision:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.CLOSED:
        raise ValidationError("Chỉ ghi quyết định khi biểu quyết đã kết thúc và chưa công bố.")
    if hasattr(poll, "decision"):
        raise ValidationError("Đã có quyết định cho biểu quyết này.")
    outcome = poll_outcome(poll)
    if not outcome or not outcome.tied:
        raise ValidationError("Không có trường hợp bằng phiếu cần quyết định.")
    if poll.round_no < poll.max_rounds:
        raise ValidationError(
            f"Còn được bỏ phiếu vòng sau (tối đa {poll.max_rounds} vòng); hãy tạo vòng bỏ phiếu lại."
        )
    if {w.pk for w in winners} - set(outcome.tied):
        raise ValidationError("Chỉ chọn trong các đơn vị bằng phiếu.")
    if len(winners) != outcome.open_seats:
        raise ValidationError(f"Cần chọn đúng {outcome.open_seats} đơn vị.")
    if not basis.strip() or not decided_by.strip():
        raise ValidationError("Cần ghi người quyết định và căn cứ.")
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
        summary=f"Quyết định khi bằng phiếu: {poll.title}",
        data={"winners": [w.unit_id for w in winners], "decided_by": decided_by, "basis": basis},
    )
    return decision


@transaction.atomic
def poll_runoff_create(*, poll: Poll, actor=None) -> Poll:
    """A new round between the candidates tied at the cut-off. The closed poll stays as it was."""
    poll = Poll.objects.select_for_update().select_related("meeting").get(pk=poll.pk)
    outcome = poll_outcome(poll)
    if not outcome or not outcome.tied:
        raise ValidationError("Không có trường hợp bằng phiếu để bỏ phiếu lại.")
    if poll.round_no >= poll.max_rounds:
        raise ValidationError(f"Đã đủ {poll.max_rounds} vòng; kết quả do quy chế quyết định.")
    if poll.runoffs.exists():
        raise ValidationError("Đã tạo vòng bỏ phiếu lại.")
    tied_units = list(
        Unit.objects.filter(
            pk__in=PollCandidate.objects.filter(pk__in=outcome.tied).values("unit_id")
        )
    )
    runoff = poll_create(
        meeting=poll.meeting,
        kind=poll.kind,
        title=f"{poll.title.split(' – vòng')[0]} – vòng {poll.round_no + 1}",
        award_title=poll.award_title,
        mode=poll.mode,
        seats=outcome.open_seats,
        max_marks=min(poll.max_marks, outcome.open_seats),
        base=poll.base,
        threshold_numerator=poll.threshold_numerator,
        threshold_denominator=poll.threshold_denominator,
        threshold_strict=poll.threshold_strict,
        allow_self_vote=poll.allow_self_vote,
        basis=poll.basis,
        round_no=poll.round_no + 1,
        previous=poll,
        max_rounds=poll.max_rounds,
        tie_break_rule=poll.tie_break_rule,
        counting_committee=poll.counting_committee,
        candidates=tied_units,
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
    day = timezone.localtime(meeting.starts_at).date()
    label = meeting.label
    if poll.kind == Poll.Kind.AWARD:
        from awards.services import award_propose_from_poll

        award_propose_from_poll(
            bloc_year=meeting.bloc_year,
            award_title=poll.award_title,
            unit_ids=[u.pk for u in units],
            source_label=f"{poll.title} – {label}",
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
        raise ValidationError("Chỉ công bố được biểu quyết đã kết thúc.")
    outcome = poll_outcome(poll)
    poll.status = Poll.Status.PUBLISHED
    poll.published_at = timezone.now()
    poll.save()
    audit(
        actor=actor,
        action="poll.publish",
        obj=poll,
        summary=f"Công bố kết quả: {poll.title}",
        data={
            "chain_hash": poll.chain_hash,
            "winners": list(outcome.winners),
            "adopted": outcome.adopted,
        },
    )
    _flow_winners(poll, list(outcome.winners), meeting_url=meeting_url, actor=actor)
    return poll


def poll_result_data(poll: Poll) -> dict | None:
    """Plain data of a closed poll's result: counts, lines with sentences, hashes."""
    outcome = poll_outcome(poll)
    if outcome is None:
        return None
    c = outcome.counts
    rows = []
    for line in outcome.lines:
        pct = (
            (100 * line.votes / outcome.base_count)
            if (outcome.base_count and poll.mode != Poll.Mode.REPORTED)
            else None
        )
        rows.append(
            {
                "name": line.label,
                "label": line.label,
                "votes": line.votes,
                "percent": pct,
                "percent_text": line.percent,
                "elected": line.status in ("won", "adopted"),
                "status": line.status,
                "sentence": line.sentence,
            }
        )
    data = {
        "candidates": [] if poll.is_motion else rows,
        "rows": rows,
        "base_label": poll.get_base_display(),
        "rule": poll.rule_label,
        "issued": poll.ballots_issued
        if poll.mode == Poll.Mode.PAPER
        else (poll.roll_size if c else None),
        "returned": c.ballots if c else None,
        "valid": c.valid if c else None,
        "invalid": c.invalid if c else None,
        "blank": c.blank if c else None,
        "present": poll.roll_size,
        "members": poll.member_count,
        "outcome_label": outcome.summary,
        "explanation": outcome.summary,
        "winners": list(outcome.winners),
        "tied": list(outcome.tied),
        "adopted": outcome.adopted,
        "chain_hash": poll.chain_hash,
        "roll_hash": poll.roll_hash,
    }
    if poll.is_motion and c:
        data.update(
            yes=c.votes.get("yes", 0), no=c.votes.get("no", 0), abstain=c.votes.get("abstain", 0)
        )
    return data


def poll_progress(poll: Poll) -> tuple[int, int]:
    """(k, n): how many of the roll have voted. Never partial results."""
    return poll.casts.count(), poll.roll_size or 0


def meeting_date(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()
