"""What a meeting's minutes (biên bản hội nghị) and a poll's count minutes (biên bản kiểm phiếu)
state, as one typed value the documents app renders without guessing:

    from meetings.minutes import ballots_data, count_minutes_data, invitation_data, minutes_data
    data = minutes_data(meeting)        # MinutesData
    data = count_minutes_data(poll)     # CountMinutesData
    data = invitation_data(meeting)     # InvitationData (giấy mời)
    data = ballots_data(meeting)        # BallotsData (phiếu bầu giấy)

Everything is as of the meeting's day: unit names, who headed what, who was present. A fact the
app does not hold is None or "" (never a placeholder); `missing` lists, in Vietnamese, what a
clerk must still record before the document can be finalized.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from blocs.models import BlocYear, LeadershipTerm
from khoithidua.lib.i18n import shown_later

from .models import Attendance, Meeting, Poll
from .services import Quorum, meeting_date, member_units, poll_result, quorum

# A guest line whose "name" is a role, not a person («Đại diện Sở Nội vụ», «Thường trực …»).
ENDS_MISSING = gettext_noop("Giờ kết thúc hội nghị (trang hội nghị).")
ROLE_WORDS = ("đại diện", "thường trực", "lãnh đạo", "các đồng chí", "thành viên", "ban ")


@dataclass(frozen=True)
class PersonLine:
    name: str
    title: str = ""
    unit: str = ""

    @property
    def is_person(self) -> bool:
        return bool(self.name) and not self.name.lower().startswith(ROLE_WORDS)


def person_from_line(line: str) -> PersonLine:
    """«Họ tên, chức vụ, đơn vị» or «Họ tên – chức vụ, đơn vị» (one line of a text field)."""
    line = (line or "").strip()
    head, dash, tail = line.partition(" – ")
    if dash and "," not in head:
        parts = [head.strip()] + [p.strip() for p in tail.split(",") if p.strip()]
    else:
        parts = [p.strip() for p in line.split(",") if p.strip()]
    return PersonLine(
        name=parts[0] if parts else "",
        title=parts[1] if len(parts) > 1 else "",
        unit=", ".join(parts[2:]),
    )


@dataclass(frozen=True)
class AttendanceRow:
    unit: str
    status: str  # present | absent | unrecorded
    delegates: str
    reason: str


@dataclass(frozen=True)
class QuorumLine:
    members: int
    present: int
    absent: int
    unrecorded: int  # member units with no attendance recorded: neither present nor absent
    needed: int
    fraction: str  # "2/3"
    basis: str

    @property
    def complete(self) -> bool:
        return self.unrecorded == 0

    @property
    def reached(self) -> bool | None:
        """True/False once every unit is recorded (or the present ones already reach it)."""
        if self.present >= self.needed and self.members:
            return True
        return False if self.complete else None


@dataclass(frozen=True)
class OptionLine:
    label: str
    votes: int | None  # None when the counts were not reported
    percent: str  # "62,5" (no sign), "" when not counted
    result: str  # "Trúng cử" | "Đạt" | "Bầu lại" | "Bằng phiếu" | ""
    chosen: bool


@dataclass(frozen=True)
class PollLine:
    title: str
    kind: str  # award | leader | deputy | motion
    closed: bool  # False: still a draft or open (the minutes cannot be final)
    counted: bool  # ballot counts are known
    form: str  # «Bỏ phiếu kín điện tử», «Biểu quyết tại hội nghị» …
    rule: str
    base_label: str
    issued: int | None
    returned: int | None
    valid: int | None
    invalid: int | None
    blank: int | None
    blank_valid: bool
    yes: int | None
    no: int | None
    abstain: int | None
    options: tuple[OptionLine, ...]
    outcome: str  # «Được suy tôn: …», «Trúng cử: …», «Nội dung được thông qua.»
    decision: str
    low_turnout: str
    digest: str  # the sealed tally digest of an electronic poll, else ""
    committee: tuple[PersonLine, ...]
    closed_at: dt.datetime | None
    error: str = ""  # the sealed tally does not match: print nothing of the result


@dataclass(frozen=True)
class AwardLine:
    title: str
    recipient: str  # «Nguyễn Văn A, Trưởng phòng – Công an tỉnh» or the unit
    final: bool  # conferred (a decision is recorded), else proposed


@dataclass(frozen=True)
class ConferredCount:
    """Awards conferred at the meeting that a report gives as counts, without every name."""

    title: str
    collectives: int
    individuals: int

    @property
    def text(self) -> str:
        parts = [
            f"{n} {what}"
            for n, what in ((self.collectives, "tập thể"), (self.individuals, "cá nhân"))
            if n
        ]
        return f"{self.title} cho {' và '.join(parts)}"


@dataclass(frozen=True)
class CovenantSigning:
    year: int
    title: str
    signers: tuple[PersonLine, ...]  # unit = the signing unit


@dataclass(frozen=True)
class MinutesData:
    meeting_id: int
    bloc_year_id: int
    date: dt.date
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str  # the place, else «Trụ sở <host unit>», else ""
    host: str
    chairs: tuple[PersonLine, ...]
    secretary: PersonLine | None
    guests: tuple[PersonLine, ...]
    attendance: tuple[AttendanceRow, ...]
    quorum: QuorumLine
    agenda: tuple[tuple[str, str], ...]  # (title, what was said/concluded)
    polls: tuple[PollLine, ...]
    awards: tuple[AwardLine, ...]
    conferred: tuple[ConferredCount, ...]  # counts conferred at the meeting (AwardTally)
    next_year: int
    next_leader: str  # «» when not decided at this meeting
    next_deputy: str
    covenant: CovenantSigning | None

    @property
    def missing(self) -> list:
        out = []
        if not self.chairs or not (self.chairs[0].name and self.chairs[0].title):
            out.append(
                shown_later(
                    gettext_noop(
                        "Chủ trì hội nghị: ghi họ tên và chức vụ (trang hội nghị, mục Chủ trì)."
                    )
                )
            )
        if self.secretary is None or not (self.secretary.name and self.secretary.title):
            out.append(
                shown_later(
                    gettext_noop("Thư ký hội nghị: ghi họ tên và chức vụ (trang hội nghị).")
                )
            )
        if self.ends_at is None:
            out.append(shown_later(ENDS_MISSING))
        if not self.place:
            out.append(
                shown_later(
                    gettext_noop("Địa điểm hội nghị, hoặc đơn vị đăng cai (trang hội nghị).")
                )
            )
        for p in self.polls:
            if not p.closed:
                out.append(
                    shown_later(
                        gettext_noop(
                            "Biểu quyết «%(title)s» chưa kết thúc: hãy kết thúc hoặc xóa."
                        ),
                        title=p.title,
                    )
                )
            elif p.error:
                out.append(p.error)
        return out


@dataclass(frozen=True)
class CountMinutesData:
    poll_id: int
    bloc_year_id: int
    date: dt.date
    meeting_title: str
    starts_at: dt.datetime
    place: str
    poll: PollLine

    @property
    def missing(self) -> list:
        out = []
        if not self.poll.closed:
            out.append(shown_later(gettext_noop("Biểu quyết chưa kết thúc.")))
        if self.poll.error:
            out.append(self.poll.error)
        if not self.poll.committee or not all(c.name for c in self.poll.committee):
            out.append(
                shown_later(
                    gettext_noop(
                        "Ban kiểm phiếu: ghi họ tên, chức vụ từng thành viên (trang biểu quyết)."
                    )
                )
            )
        if not self.place:
            out.append(
                shown_later(
                    gettext_noop("Địa điểm hội nghị, hoặc đơn vị đăng cai (trang hội nghị).")
                )
            )
        return out


@dataclass(frozen=True)
class InvitationData:
    """A meeting's invitation (giấy mời): when, where, what, who attends."""

    meeting_id: int
    bloc_year_id: int
    date: dt.date  # the invitation's own date: the day it is drafted, at the latest the meeting's
    meeting_date: dt.date
    kind: str
    title: str
    starts_at: dt.datetime
    place: str
    agenda: tuple[str, ...]
    guests: tuple[PersonLine, ...]
    members: int

    @property
    def missing(self) -> list:
        out = []
        if not self.place:
            out.append(
                shown_later(
                    gettext_noop("Địa điểm hội nghị, hoặc đơn vị đăng cai (trang hội nghị).")
                )
            )
        if not self.agenda:
            out.append(
                shown_later(
                    gettext_noop(
                        "Chương trình hội nghị: ghi ít nhất một nội dung (trang hội nghị)."
                    )
                )
            )
        return out


# --- producers ------------------------------------------------------------------------------


def _place(meeting: Meeting, on: dt.date) -> str:
    if meeting.place:
        return meeting.place
    if meeting.host_unit_id:
        return _("Trụ sở %(unit)s") % {"unit": meeting.host_unit.name_on(on)}
    return ""


def _pct(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".replace(".", ",")


def _form(poll: Poll) -> str:
    if poll.mode == Poll.Mode.REPORTED:
        return _("Biểu quyết tại hội nghị")
    return str(poll.get_mode_display())


def _chosen_word(kind: str) -> str:
    if kind == Poll.Kind.AWARD:
        return _("Được suy tôn")
    return _("Trúng cử")


def poll_line(poll: Poll) -> PollLine:
    committee = tuple(
        person_from_line(line) for line in poll.counting_committee.splitlines() if line.strip()
    )
    closed = poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED)
    error = ""
    # A tally that no longer matches its seal raises TallyTampered: nothing is printed.
    result = poll_result(poll) if closed else None
    base = {
        "title": poll.title,
        "kind": poll.kind,
        "closed": closed and result is not None,
        "form": _form(poll),
        "rule": poll.rule_label,
        "base_label": str(poll.get_base_display()),
        "blank_valid": poll.blank_valid,
        "committee": committee,
        # When the count ended; a reported result has no count (closed_at is when it was typed).
        "closed_at": None if poll.mode == Poll.Mode.REPORTED else poll.closed_at,
        "error": error,
    }
    if result is None:
        return PollLine(
            **base,
            counted=False,
            issued=None,
            returned=None,
            valid=None,
            invalid=None,
            blank=None,
            yes=None,
            no=None,
            abstain=None,
            options=(),
            outcome="",
            decision="",
            low_turnout="",
            digest="",
        )
    counted = not result.reported and result.returned is not None
    word = _("Đạt") if poll.kind == Poll.Kind.AWARD else _("Trúng cử")
    options = []
    votes = {}
    for o in result.options:
        votes[o.key] = o.votes
        label = {"runoff": _("Bầu lại"), "tie": _("Bằng phiếu")}.get(o.status, "")
        options.append(
            OptionLine(
                label=o.label,
                votes=o.votes if counted else None,
                percent=_pct(o.percent) if counted else "",
                result=word if o.elected else label,
                chosen=o.elected,
            )
        )
    if result.is_motion:
        if result.adopted is None:
            outcome = ""
        elif result.adopted:
            outcome = _("Nội dung được thông qua.")
        else:
            outcome = _("Nội dung không được thông qua.")
        options_out: tuple[OptionLine, ...] = ()
    else:
        if result.winners:
            outcome = f"{_chosen_word(poll.kind)}: {'; '.join(result.winners)}."
        elif result.runoff:
            outcome = _("Chưa có đơn vị đạt tỷ lệ quy định; bầu lại vòng sau.")
        else:
            outcome = _("Không có đơn vị nào đạt tỷ lệ quy định.")
        options_out = tuple(options)
    return PollLine(
        **base,
        counted=counted,
        issued=result.issued if counted else None,
        returned=result.returned if counted else None,
        valid=result.valid if counted else None,
        invalid=result.invalid if counted else None,
        blank=result.blank if counted else None,
        yes=votes.get("yes") if (counted and result.is_motion) else None,
        no=votes.get("no") if (counted and result.is_motion) else None,
        abstain=votes.get("abstain") if (counted and result.is_motion) else None,
        options=options_out,
        outcome=outcome,
        decision=result.decision,
        low_turnout=result.low_turnout,
        digest=result.digest if poll.is_electronic else "",
    )


def _attendance(meeting: Meeting, on: dt.date) -> tuple[tuple[AttendanceRow, ...], QuorumLine]:
    units = member_units(meeting)
    prefetch_related_objects(units, "former_names")  # name_on: one query, not one per unit
    by_unit = {a.unit_id: a for a in meeting.attendances.all()}
    rows = []
    present = absent = 0
    for unit in units:
        a = by_unit.get(unit.pk)
        status = "unrecorded"
        if a is not None and a.status == Attendance.Status.PRESENT:
            status = "present"
            present += 1
        elif a is not None and a.status == Attendance.Status.ABSENT:
            status = "absent"
            absent += 1
        delegates = ", ".join(x.strip() for x in (a.delegates if a else "").splitlines() if x)
        rows.append(AttendanceRow(unit.name_on(on), status, delegates, a.reason if a else ""))
    q = Quorum.of(meeting.bloc_year.bloc, members=len(units), present=present)
    quorum = QuorumLine(
        members=q.members,
        present=q.present,
        absent=absent,
        unrecorded=q.members - q.present - absent,
        needed=q.needed,
        fraction=f"{q.numerator}/{q.denominator}",
        basis=q.basis,
    )
    return tuple(rows), quorum


def _awards(meeting: Meeting, on: dt.date) -> tuple[AwardLine, ...]:
    from awards.models import Award

    out = []
    for a in (
        Award.objects.filter(bloc_year=meeting.bloc_year, proposed_on=on)
        .exclude(status=Award.Status.REJECTED)
        .select_related("award_title", "unit")
        .prefetch_related("unit__former_names")
        .order_by("award_title__rank", "id")
    ):
        unit = a.unit.name_on(on) if a.unit_id else ""
        person = a.person_name or a.collective_name
        if person:
            who = person + (f", {a.person_position}" if a.person_position else "")
            recipient = f"{who} – {unit}" if unit else who
        else:
            recipient = unit
        out.append(AwardLine(a.award_title.name, recipient, a.status == Award.Status.FINAL))
    return tuple(out)


def _conferred(meeting: Meeting, on: dt.date) -> tuple[ConferredCount, ...]:
    from awards.models import AwardTally

    rows = (
        AwardTally.objects.filter(bloc_year=meeting.bloc_year, announced_on=on)
        .select_related("award_title")
        .order_by("award_title__rank", "id")
    )
    return tuple(
        ConferredCount(t.award_title.name, t.collectives, t.individuals)
        for t in rows
        if t.collectives or t.individuals
    )


def _next_terms(meeting: Meeting, polls: tuple[PollLine, ...], on: dt.date) -> tuple[str, str]:
    """The next year's leader and deputy, when this meeting decided them (year-end meetings,
    or a leader/deputy poll held here)."""
    elects = {p.kind for p in polls if p.kind in ("leader", "deputy")}
    if meeting.kind != Meeting.Kind.YEAREND and not elects:
        return "", ""
    nxt = BlocYear.objects.filter(
        bloc_id=meeting.bloc_year.bloc_id, year=meeting.bloc_year.year + 1
    ).first()
    out = {"leader": "", "deputy": ""}
    if nxt is not None:
        terms = nxt.terms.exclude(status=LeadershipTerm.Status.PROPOSED).select_related("unit")
        for term in terms.prefetch_related("unit__former_names"):
            out[term.role] = term.unit.name_on(on)
    return out["leader"], out["deputy"]


def _covenant(meeting: Meeting, on: dt.date) -> CovenantSigning | None:
    from awards.models import Covenant, CovenantSignature

    sigs = list(
        CovenantSignature.objects.filter(
            covenant__bloc_year__bloc_id=meeting.bloc_year.bloc_id, signed_on=on
        )
        .exclude(covenant__status=Covenant.Status.SUPERSEDED)
        .select_related("unit", "covenant__bloc_year")
        .prefetch_related("unit__former_names")
        .order_by("unit__name")
    )
    if not sigs:
        return None
    covenant = sigs[0].covenant
    return CovenantSigning(
        year=covenant.bloc_year.year,
        title=covenant.title,
        signers=tuple(
            PersonLine(s.representative_name, s.representative_position, s.unit.name_on(on))
            for s in sigs
        ),
    )


def minutes_data(meeting: Meeting) -> MinutesData:
    """The minutes' content for `meeting`, as of its day."""
    meeting = (
        Meeting.objects.select_related("bloc_year__bloc", "host_unit")
        .prefetch_related("host_unit__former_names")
        .get(pk=meeting.pk)
    )
    on = meeting_date(meeting)
    rows, quorum = _attendance(meeting, on)
    polls = tuple(poll_line(p) for p in meeting.polls.order_by("created_at", "id"))
    leader, deputy = _next_terms(meeting, polls, on)
    return MinutesData(
        meeting_id=meeting.pk,
        bloc_year_id=meeting.bloc_year_id,
        date=on,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=timezone.localtime(meeting.starts_at),
        ends_at=timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        place=_place(meeting, on),
        host=meeting.host_unit.name_on(on) if meeting.host_unit_id else "",
        chairs=tuple(person_from_line(line) for line in meeting.chair_lines),
        secretary=person_from_line(meeting.secretary_name) if meeting.secretary_name else None,
        guests=tuple(PersonLine(g.name, g.position, g.organisation) for g in meeting.guests.all()),
        attendance=rows,
        quorum=quorum,
        agenda=tuple((item.title, item.summary) for item in meeting.agenda_items.all()),
        polls=polls,
        awards=_awards(meeting, on),
        conferred=_conferred(meeting, on),
        next_year=meeting.bloc_year.year + 1,
        next_leader=leader,
        next_deputy=deputy,
        covenant=_covenant(meeting, on),
    )


def count_minutes_data(poll: Poll) -> CountMinutesData:
    poll = Poll.objects.select_related("meeting__bloc_year__bloc", "meeting__host_unit").get(
        pk=poll.pk
    )
    meeting = poll.meeting
    on = meeting_date(meeting)
    return CountMinutesData(
        poll_id=poll.pk,
        bloc_year_id=meeting.bloc_year_id,
        date=on,
        meeting_title=meeting.title,
        starts_at=timezone.localtime(meeting.starts_at),
        place=_place(meeting, on),
        poll=poll_line(poll),
    )


def invitation_data(meeting: Meeting) -> InvitationData:
    """The invitation's content for `meeting`."""
    meeting = (
        Meeting.objects.select_related("bloc_year__bloc", "host_unit")
        .prefetch_related("host_unit__former_names")
        .get(pk=meeting.pk)
    )
    on = meeting_date(meeting)
    return InvitationData(
        meeting_id=meeting.pk,
        bloc_year_id=meeting.bloc_year_id,
        date=min(timezone.localdate(), on),
        meeting_date=on,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=timezone.localtime(meeting.starts_at),
        place=_place(meeting, on),
        agenda=tuple(item.title for item in meeting.agenda_items.all()),
        guests=tuple(PersonLine(g.name, g.position, g.organisation) for g in meeting.guests.all()),
        members=len(member_units(meeting)),
    )


@dataclass(frozen=True)
class BallotSet:
    """One kind of paper ballot: every ballot of a set is identical (no serial number, nothing
    that could trace a ballot to the unit that received it)."""

    title: str  # the poll's title, or «Bầu chọn đơn vị đề nghị tặng <danh hiệu>»
    candidates: tuple[str, ...]  # names on the meeting's day, in ballot order
    seats: int  # at most this many marks on one ballot
    copies: int  # how many ballots to print: the poll's roll, else the units present, else all
    poll_id: int | None  # None: from the year's nominations (no poll recorded yet)


@dataclass(frozen=True)
class BallotsData:
    """The paper ballots (phiếu bầu) of a meeting: one set per paper poll (every candidate
    poll when none is on paper); with no poll yet, one set per award title nominated this year
    (seats: the year's quota for the title, else every nominee)."""

    meeting_id: int
    bloc_year_id: int
    date: dt.date
    title: str
    voters: int  # units present, else every member unit
    sets: tuple[BallotSet, ...]

    @property
    def missing(self) -> list:
        if not self.sets:
            return [
                shown_later(
                    gettext_noop("Chưa có cuộc bỏ phiếu hoặc danh sách đề cử (trang hội nghị).")
                )
            ]
        return []


def _nominee_sets(meeting: Meeting, on: dt.date, copies: int) -> list[BallotSet]:
    from awards.models import AwardQuota, Nomination

    quotas = dict(
        AwardQuota.objects.filter(bloc_year=meeting.bloc_year).values_list(
            "award_title_id", "max_count"
        )
    )
    by_title: dict = {}
    for n in (
        Nomination.objects.filter(bloc_year=meeting.bloc_year, status=Nomination.Status.CANDIDATE)
        .select_related("award_title", "unit")
        .prefetch_related("unit__former_names")
        .order_by("award_title__rank", "rank", "id")
    ):
        by_title.setdefault(n.award_title, []).append(n)
    return [
        BallotSet(
            title=_("Bầu chọn đơn vị đề nghị tặng %(title)s") % {"title": title.name},
            candidates=tuple(n.person_name or n.unit.name_on(on) for n in noms),
            seats=min(quotas.get(title.pk) or len(noms), len(noms)),
            copies=copies,
            poll_id=None,
        )
        for title, noms in by_title.items()
    ]


def ballots_data(meeting: Meeting) -> BallotsData:
    """The paper ballots to print for `meeting`, as of its day."""
    meeting = Meeting.objects.select_related("bloc_year__bloc").get(pk=meeting.pk)
    on = meeting_date(meeting)
    q = quorum(meeting)
    voters = q.present or q.members
    polls = list(
        meeting.polls.exclude(kind=Poll.Kind.MOTION)
        .prefetch_related("candidates__unit__former_names")
        .order_by("created_at", "id")
    )
    paper = [p for p in polls if p.mode == Poll.Mode.PAPER]
    sets = [
        BallotSet(
            title=p.title,
            candidates=tuple(c.label or c.unit.name_on(on) for c in p.candidates.all()),
            seats=p.max_marks or 1,
            copies=p.roll_size or voters,
            poll_id=p.pk,
        )
        for p in paper or polls
    ]
    if not sets:
        sets = _nominee_sets(meeting, on, voters)
    return BallotsData(
        meeting_id=meeting.pk,
        bloc_year_id=meeting.bloc_year_id,
        date=on,
        title=meeting.title,
        voters=voters,
        sets=tuple(sets),
    )
