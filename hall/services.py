"""The hall screen: what it shows (public: nothing secret) and the secretary's actions.

The screen page needs no login, so `stage()` decides field by field what a projector may show:
- the meeting's title, kind, time, place and host unit;
- the agenda item being dealt with (title, speaker, its position in the programme);
- attendance as counts (present / members, the quorum needed) and the names of present units —
  no delegate's personal name, no absence reason;
- a poll: its title, kind, rule and candidates; while open only "k / n đơn vị đã bỏ phiếu" (a
  progress bar); after *publication* the result lines with their sentences and the votes chart
  against the threshold line (a tampered tally: the red warning instead, nothing else). Never partial results, never a
  closed-but-unpublished result, never a receipt, a ballot code or who voted for what.
Nothing is shown until the secretary switches the screen on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from blocs import names
from blocs.services import audit
from charts.builders import VotesData, votes_chart

from .models import ScreenState


@dataclass
class ResultLine:
    label: str
    votes: int | None
    percent: str
    status: str
    sentence: str
    word: str = ""  # «Trúng cử» (elections), «Được suy tôn» (honours), «Thông qua» (motions)


@dataclass
class PollView:
    title: str
    kind: str
    status: str  # draft | open | closed | published
    rule: str = ""
    candidates: list[str] = field(default_factory=list)
    voted: int = 0
    roll: int = 0
    lines: list[ResultLine] = field(default_factory=list)
    summary: str = ""
    counts: str = ""
    tampered: str = ""  # the red warning when the ballots no longer match the seal
    votes: VotesData | None = None  # the votes chart's data (published candidate polls only)

    @cached_property
    def chart(self):
        """The votes against the threshold line, drawn only when the screen is rendered (the
        fingerprint reads the data above, so an unchanged screen costs no chart)."""
        if self.votes is None:
            return None
        chart = votes_chart(self.votes)
        chart.width = 520  # drawn narrower, shown wider: larger type for the back of the hall
        return chart


@dataclass
class Stage:
    """Everything the screen shows, as plain public values."""

    active: bool
    view: str = ScreenState.View.WELCOME
    bloc: str = ""
    title: str = ""
    kind: str = ""
    when: str = ""
    place: str = ""
    host: str = ""
    present: int = 0
    members: int = 0
    needed: int = 0
    quorum_reached: bool = False
    present_units: list[str] = field(default_factory=list)
    agenda_title: str = ""
    agenda_speaker: str = ""
    agenda_position: str = ""
    poll: PollView | None = None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


def screen_key(meeting_pk: int) -> str:
    """The secret part of the projector address: an HMAC of the meeting id under SECRET_KEY.

    The screen needs no login (a projector has no account), so the address itself is the
    credential: meeting ids are sequential and could be enumerated, this key cannot."""
    mac = salted_hmac("khoithidua.hall.screen", str(meeting_pk), algorithm="sha256")
    return mac.hexdigest()[:24]


def screen_key_ok(meeting_pk: int, key: str) -> bool:
    return constant_time_compare(screen_key(meeting_pk), key or "")


def state_of(meeting) -> ScreenState:
    return ScreenState.objects.filter(meeting=meeting).select_related(
        "agenda_item", "poll"
    ).first() or (ScreenState(meeting=meeting))


def _poll_view(poll) -> PollView:
    from meetings import services as meeting_services
    from meetings.models import Poll

    view = PollView(
        title=poll.title,
        kind=str(poll.get_kind_display()),
        status=poll.status,
        rule=poll.rule_label if poll.mode != Poll.Mode.REPORTED else "",
        candidates=[]
        if poll.is_motion
        else [c.unit.name for c in poll.candidates.select_related("unit")],
    )
    if poll.status == Poll.Status.OPEN:
        view.voted, view.roll = meeting_services.poll_progress(poll)
    elif poll.status == Poll.Status.PUBLISHED:
        try:
            outcome = meeting_services.poll_outcome(poll)
        except meeting_services.TallyTampered as exc:
            # The ballots no longer match the seal: every results surface refuses to show.
            view.tampered = exc.messages[0]
            outcome = None
        if outcome is not None:
            reported = poll.mode == Poll.Mode.REPORTED
            if not reported:
                from charts.data import votes_data

                view.votes = votes_data(poll, outcome, meeting_services.poll_rule(poll))
            view.lines = [
                ResultLine(
                    label=line.label,
                    votes=None if reported else line.votes,
                    percent="" if reported else line.percent,
                    status=line.status,
                    sentence=line.sentence,
                    word=line.word,
                )
                for line in outcome.lines
            ]
            view.summary = outcome.summary
            c = outcome.counts
            if c is not None and not reported:
                view.counts = _(
                    "Phiếu thu về: %(b)s · hợp lệ: %(v)s · không hợp lệ: %(i)s · trắng: %(k)s"
                ) % {"b": c.ballots, "v": c.valid, "i": c.invalid, "k": c.blank}
    return view


def stage(meeting, state: ScreenState | None = None) -> Stage:
    """What the screen shows now. Only public values (see the module docstring)."""
    from meetings import services as meeting_services
    from meetings.models import Attendance

    state = state or state_of(meeting)
    if not state.active:
        return Stage(active=False)
    local = timezone.localtime(meeting.starts_at)
    on = local.date()
    q = meeting_services.quorum(meeting)
    result = Stage(
        active=True,
        view=state.view,
        bloc=names.name_on(meeting.bloc_year.bloc, on),
        title=meeting.title,
        kind=str(meeting.get_kind_display()),
        when=_("%(time)s, ngày %(date)s") % {"time": f"{local:%H:%M}", "date": f"{local:%d/%m/%Y}"},
        place=meeting.place,
        host=names.name_on(meeting.host_unit, on) if meeting.host_unit_id else "",
        present=q.present,
        members=q.members,
        needed=q.needed,
        quorum_reached=q.reached,
    )
    if state.view == ScreenState.View.ATTENDANCE:
        rows = (
            meeting.attendances.filter(status=Attendance.Status.PRESENT)
            .select_related("unit")
            .prefetch_related("unit__former_names")
        )
        result.present_units = sorted(names.name_on(a.unit, on) for a in rows)
    elif state.view == ScreenState.View.AGENDA and state.agenda_item_id:
        items = list(meeting.agenda_items.values_list("pk", flat=True))
        item = state.agenda_item
        result.agenda_title = item.title
        result.agenda_speaker = item.speaker
        if item.pk in items:
            result.agenda_position = _("Nội dung %(i)s/%(n)s") % {
                "i": items.index(item.pk) + 1,
                "n": len(items),
            }
    elif state.view == ScreenState.View.POLL and state.poll_id:
        result.poll = _poll_view(state.poll)
    if result.view == ScreenState.View.AGENDA and not result.agenda_title:
        result.view = ScreenState.View.WELCOME
    if result.view == ScreenState.View.POLL and result.poll is None:
        result.view = ScreenState.View.WELCOME
    return result


@transaction.atomic
def screen_show(
    *, meeting, actor, view: str | None = None, item=None, poll=None, active: bool | None = None
) -> ScreenState:
    """The secretary's "show on screen": switch on/off, or show a view (which switches it on)."""
    state, _created = ScreenState.objects.select_for_update().get_or_create(meeting=meeting)
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(_("Nội dung này không thuộc hội nghị."))
    if poll is not None and poll.meeting_id != meeting.pk:
        raise ValidationError(_("Biểu quyết này không thuộc hội nghị."))
    if view is not None:
        if view not in ScreenState.View.values:
            raise ValidationError(_("Không có chế độ chiếu này."))
        if view == ScreenState.View.AGENDA and item is None:
            raise ValidationError(_("Hãy chọn nội dung chương trình để chiếu."))
        if view == ScreenState.View.POLL and poll is None:
            raise ValidationError(_("Hãy chọn biểu quyết để chiếu."))
        state.view = view
        state.agenda_item = item if view == ScreenState.View.AGENDA else None
        state.poll = poll if view == ScreenState.View.POLL else None
        state.active = True
    if active is not None:
        state.active = active
    state.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    state.save()
    what = str(state.get_view_display())
    if state.view == ScreenState.View.AGENDA and state.agenda_item:
        what = f"{what}: {state.agenda_item.title}"
    elif state.view == ScreenState.View.POLL and state.poll:
        what = f"{what}: {state.poll.title}"
    audit(
        actor=actor,
        action="meeting.screen",
        obj=meeting,
        summary=(_("Màn hình trình chiếu: %(what)s") % {"what": what})
        if state.active
        else _("Tắt màn hình trình chiếu"),
    )
    return state
