"""Meeting pages: meetings, guests, agenda, attendance, polls, voting, results, exports."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from blocs import names as dated_names
from blocs.access import can_run_bloc, get_bloc_year_for_user, require_run_bloc, visible_blocs
from blocs.models import AuditEvent, Unit
from khoithidua.lib.formulas import neutralize
from khoithidua.lib.qr import qr_data_uri
from khoithidua.lib.views import apply_validation_error, done, form_page

from . import services, throttle
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    BallotForm,
    CheckinForm,
    CloseForm,
    GuestForm,
    MeetingForm,
    PaperBallotForm,
    PaperCountForm,
    PollForm,
    ReportedForm,
    TieBreakForm,
)
from .models import AgendaItem, Ballot, Guest, Meeting, Poll, PollCandidate, PollVoter

NOT_FOUND = "Không tìm thấy hội nghị."


# --- helpers ---------------------------------------------------------------------------------


def get_meeting_for_user(user, pk: int, *, run: bool = False) -> Meeting:
    """404 if the user cannot see the bloc; 403 if `run` and they may not record its meetings."""
    try:
        meeting = Meeting.objects.select_related("bloc_year__bloc__organizer", "host_unit").get(
            pk=pk
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if not visible_blocs(user).filter(pk=meeting.bloc_year.bloc_id).exists():
        raise Http404(NOT_FOUND)
    if run:
        require_run_bloc(user, meeting.bloc_year.bloc)
    return meeting


def get_poll_for_user(user, pk: int, *, run: bool = False) -> Poll:
    try:
        poll = Poll.objects.select_related(
            "meeting__bloc_year__bloc__organizer", "award_title", "previous"
        ).get(pk=pk)
    except (Poll.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy biểu quyết.") from None
    get_meeting_for_user(user, poll.meeting_id, run=run)
    return poll


def _error(request: HttpRequest, url: str, exc: ValidationError) -> HttpResponse:
    for msg in exc.messages:
        messages.error(request, msg)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _meeting_url(request: HttpRequest, meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _member_units(bloc_year):
    return Unit.objects.members_of(bloc_year).order_by("name")


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    meetings = (
        bloc_year.meetings.select_related("host_unit")
        .prefetch_related("host_unit__former_names")
        .annotate(
            poll_count=Count("polls", distinct=True),
            present_count=Count(
                "attendances", filter=Q(attendances__status="present"), distinct=True
            ),
        )
        .order_by("starts_at")
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "meetings": meetings,
            "can_run": can_run_bloc(request.user, bloc_year.bloc),
        },
    )


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    form = MeetingForm(request.POST or None, units=_member_units(bloc_year))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                bloc_year=bloc_year, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("meetings:meeting_detail", args=[meeting.pk]),
                _("Đã tạo hội nghị."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm hội nghị năm %(y)s") % {"y": bloc_year.year},
            "action": reverse("meetings:meeting_create", args=[bloc_year.pk]),
            "cancel": reverse("meetings:meeting_list", args=[bloc_year.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    form = MeetingForm(
        request.POST or None, instance=meeting, units=_member_units(meeting.bloc_year)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("meetings:meeting_detail", args=[meeting.pk]),
                _("Đã lưu hội nghị."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa hội nghị"),
            "action": reverse("meetings:meeting_edit", args=[meeting.pk]),
            "cancel": reverse("meetings:meeting_detail", args=[meeting.pk]),
        },
        status=422 if form.is_bound else 200,
    )


def _by_name_on_the_day(meeting: Meeting, rows) -> list:
    """Rows holding a unit, ordered by the unit's name on the meeting's day (issue 17: a 2022
    meeting shows and sorts its members by their 2022 names)."""
    day = timezone.localtime(meeting.starts_at).date()
    return dated_names.sorted_by_name(rows, day, key=lambda row: row.unit)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    can_run = can_run_bloc(request.user, meeting.bloc_year.bloc)
    polls = list(meeting.polls.select_related("award_title").annotate(voted=Count("casts")))
    q = services.quorum(meeting)
    attendances = _by_name_on_the_day(
        meeting, meeting.attendances.select_related("unit").prefetch_related("unit__former_names")
    )
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "bloc_year": meeting.bloc_year,
            "bloc": meeting.bloc_year.bloc,
            "guests": list(meeting.guests.all()),
            "agenda": list(meeting.agenda_items.all()),
            "attendances": attendances,
            "quorum": q,
            "polls": polls,
            "can_run": can_run,
            "guest_form": GuestForm(),
            "agenda_form": AgendaItemForm(),
            "total_minutes": sum(a.duration_minutes or 0 for a in meeting.agenda_items.all()),
        },
    )


@login_required
@require_POST
def guest_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    form = GuestForm(request.POST)
    url = reverse("meetings:meeting_detail", args=[meeting.pk]) + "#guests"
    if form.is_valid():
        services.guest_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        return done(request, url, _("Đã thêm khách mời."))
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return done(request, url)


@login_required
@require_POST
def guest_remove(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    guest = Guest.objects.filter(meeting=meeting, pk=guest_pk).first()
    if guest is None:
        raise Http404("Không tìm thấy khách mời.")
    services.guest_remove(guest=guest, actor=request.user)
    return done(
        request,
        reverse("meetings:meeting_detail", args=[meeting.pk]) + "#guests",
        _("Đã bỏ khách mời."),
    )


@login_required
def agenda_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    item = AgendaItem(meeting=meeting)
    if item_pk is not None:
        item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
        if item is None:
            raise Http404("Không tìm thấy nội dung chương trình.")
    form = AgendaItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(item=form.instance, actor=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("meetings:meeting_detail", args=[meeting.pk]) + "#agenda",
                _("Đã lưu chương trình."),
            )
    action = (
        reverse("meetings:agenda_edit", args=[meeting.pk, item.pk])
        if item.pk
        else reverse("meetings:agenda_add", args=[meeting.pk])
    )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Chương trình: %(t)s") % {"t": meeting.title},
            "action": action,
            "cancel": reverse("meetings:meeting_detail", args=[meeting.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def agenda_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
    if item is None:
        raise Http404("Không tìm thấy nội dung chương trình.")
    services.agenda_item_remove(item=item, actor=request.user)
    return done(
        request, reverse("meetings:meeting_detail", args=[meeting.pk]) + "#agenda", _("Đã xoá.")
    )


# --- attendance ------------------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=request.method == "POST")
    can_run = can_run_bloc(request.user, meeting.bloc_year.bloc)
    error_form = None
    if request.method == "POST":
        unit_digits = "".join(ch for ch in request.POST.get("unit", "") if ch.isdigit())[:12]
        form = AttendanceForm(request.POST, auto_id=f"att{unit_digits}_%s")
        if form.is_valid():
            unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
            try:
                if unit is None:
                    raise ValidationError(_("Không tìm thấy đơn vị."))
                services.attendance_mark(
                    meeting=meeting,
                    unit=unit,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    delegates=form.cleaned_data["delegates"],
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
        if form.errors:
            error_form = form
        elif not request.htmx:
            return redirect(reverse("meetings:attendance", args=[meeting.pk]))
    rows = _by_name_on_the_day(
        meeting, meeting.attendances.select_related("unit").prefetch_related("unit__former_names")
    )
    for row in rows:
        row.form = (
            error_form
            if error_form is not None and str(error_form.data.get("unit")) == str(row.unit_id)
            else AttendanceForm(
                initial={
                    "unit": row.unit_id,
                    "status": row.status,
                    "reason": row.reason,
                    "delegates": row.delegates,
                },
                auto_id=f"att{row.unit_id}_%s",
            )
        )
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "bloc": meeting.bloc_year.bloc,
        "rows": rows,
        # New codes void the old ones: ask first only when codes were handed out already.
        "codes_issued": any(row.checkin_code for row in rows),
        "quorum": services.quorum(meeting),
        "can_run": can_run,
        "error_form": error_form,
        "guests": list(meeting.guests.all()),
    }
    if request.htmx:
        return render(
            request, "meetings/attendance.html#board", context, status=422 if error_form else 200
        )
    return render(request, "meetings/attendance.html", context, status=422 if error_form else 200)


@login_required
@require_POST
def attendance_all_present(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    n = services.attendance_mark_all_present(meeting=meeting, actor=request.user)
    return done(
        request,
        reverse("meetings:attendance", args=[meeting.pk]),
        _("Đã ghi %(n)s đơn vị có mặt; hãy ghi các đơn vị vắng (nếu có).") % {"n": n},
    )


@login_required
def checkin_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: issue one-time check-in codes. GET: printable slips with QR codes."""
    meeting = get_meeting_for_user(request.user, pk, run=True)
    if request.method == "POST":
        n = services.checkin_codes_issue(meeting=meeting, actor=request.user)
        return done(
            request,
            reverse("meetings:checkin_codes", args=[meeting.pk]),
            _("Đã phát %(n)s mã điểm danh.") % {"n": n},
        )
    rows = _by_name_on_the_day(
        meeting,
        meeting.attendances.select_related("unit")
        .prefetch_related("unit__former_names")
        .filter(checkin_code__isnull=False),
    )
    base = request.build_absolute_uri(reverse("meetings:checkin"))
    for row in rows:
        row.url = f"{base}?code={row.checkin_code}"
        row.qr = qr_data_uri(row.url)
    return render(
        request,
        "meetings/checkin_codes.html",
        {
            "meeting": meeting,
            "bloc_year": meeting.bloc_year,
            "bloc": meeting.bloc_year.bloc,
            "rows": rows,
            "checkin_url": base,  # with the server's address: the sheet is printed
            # The next step of the day, one click away: the meeting's votes not yet published.
            "polls": list(
                meeting.polls.exclude(status=Poll.Status.PUBLISHED)
                .order_by("pk")
                .only("pk", "title", "status", "meeting_id")
            ),
        },
    )


def checkin(request: HttpRequest) -> HttpResponse:
    """Delegate self check-in with a one-time code (no login needed: the code is the credential)."""
    form = CheckinForm(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.checkin_with_code(
                code=form.cleaned_data["code"], delegates=form.cleaned_data["delegates"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            day = services.meeting_date(row.meeting)
            return render(
                request, "meetings/checkin.html", {"done": row, "unit_name": row.unit.name_on(day)}
            )
    return render(
        request, "meetings/checkin.html", {"form": form}, status=422 if form.errors else 200
    )


# --- polls -----------------------------------------------------------------------------------


def _award_titles():
    from awards.models import AwardTitle

    return AwardTitle.objects.filter(active=True).order_by("rank", "name")


@login_required
def poll_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    units = _member_units(meeting.bloc_year)
    bloc = meeting.bloc_year.bloc
    form = PollForm(
        request.POST or None,
        units=units,
        award_titles=_award_titles(),
        bloc=bloc,
        initial={
            "basis": bloc.voting_basis or "Quy chế hoạt động của Khối",
            "max_rounds": bloc.max_vote_rounds,
            "tie_break_rule": bloc.tie_break_rule,
            "blank_valid": str(bloc.blank_ballot_valid),
            "blank_basis": bloc.blank_ballot_basis,
            "runoff_rule": bloc.runoff_rule,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        candidates = list(data.pop("candidates") or [])
        try:
            poll = services.poll_create(
                meeting=meeting, candidates=candidates, actor=request.user, **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("meetings:poll_detail", args=[poll.pk]),
                _("Đã tạo biểu quyết."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm biểu quyết – %(m)s") % {"m": meeting.label},
            "action": reverse("meetings:poll_create", args=[meeting.pk]),
            "cancel": reverse("meetings:meeting_detail", args=[meeting.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def poll_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk, run=True)
    if poll.status != Poll.Status.DRAFT:
        raise PermissionDenied(_("Chỉ sửa được biểu quyết ở trạng thái nháp."))
    form = PollForm(
        request.POST or None,
        instance=poll,
        units=_member_units(poll.meeting.bloc_year),
        award_titles=_award_titles(),
        bloc=poll.meeting.bloc_year.bloc,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        candidates = list(data.pop("candidates") or [])
        try:
            services.poll_update(poll=poll, candidates=candidates, actor=request.user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("meetings:poll_detail", args=[poll.pk]), _("Đã lưu biểu quyết.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa biểu quyết"),
            "action": reverse("meetings:poll_edit", args=[poll.pk]),
            "cancel": reverse("meetings:poll_detail", args=[poll.pk]),
        },
        status=422 if form.is_bound else 200,
    )


def _poll_context(request: HttpRequest, poll: Poll) -> dict:
    meeting = poll.meeting
    can_run = can_run_bloc(request.user, meeting.bloc_year.bloc)
    candidates = list(poll.candidates.select_related("unit").prefetch_related("unit__former_names"))
    outcome, tampered = None, None
    if poll.results_visible(can_run=can_run):
        try:
            outcome = services.poll_outcome(poll)
        except services.TallyTampered as exc:
            tampered = exc
    voted, roll = services.poll_progress(poll)
    my_voters = (
        services.voters_for_user(poll, request.user) if poll.status == Poll.Status.OPEN else []
    )
    ctx = {
        "poll": poll,
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "bloc": meeting.bloc_year.bloc,
        "can_run": can_run,
        "candidates": candidates,
        "outcome": outcome,
        "tampered": tampered,
        "low_turnout": services.low_turnout_note(poll) if outcome else "",
        "voted": voted,
        "roll": roll,
        "my_voters": my_voters,
        "quorum": services.quorum(meeting) if poll.status == Poll.Status.DRAFT else None,
        "decision": getattr(poll, "decision", None) if hasattr(poll, "decision") else None,
        "runoffs": list(poll.runoffs.all()),
        "audit": list(
            AuditEvent.objects.filter(object_type="meetings.poll", object_id=str(poll.pk))
            .select_related("actor")
            .order_by("at", "id")
        )
        if can_run
        else [],
        "can_runoff": services.runoff_possible(poll, outcome),
        "needs_tie_break": services.decision_needed(poll, outcome),
    }
    if poll.status == Poll.Status.PUBLISHED and poll.mode == Poll.Mode.OPEN and outcome:
        ctx["named"] = _named_ballots(poll, candidates)
    if can_run and poll.status == Poll.Status.OPEN and poll.is_electronic:
        # One click for the usual case: codes for the units without an account or a code yet
        # that have not voted (the slips page still lets the secretary choose).
        accounts = services.units_with_accounts(poll)
        voted_ids = set(poll.casts.values_list("unit_id", flat=True))
        ctx["slip_unit_ids"] = [
            unit_id
            for unit_id in poll.voters.filter(slips_issued=0)
            .order_by("name")
            .values_list("unit_id", flat=True)
            if unit_id not in accounts and unit_id not in voted_ids
        ]
    return ctx


def _labels(poll: Poll, names: dict, marks, choice: str) -> list[str]:
    if poll.is_motion:
        return [str(Ballot.Choice(choice).label)] if choice else []
    return [names.get(m, "?") for m in marks]


def _named_ballots(poll: Poll, candidates) -> list:
    day = timezone.localtime(poll.meeting.starts_at).date()
    names = {c.pk: c.label or dated_names.name_on(c.unit, day) for c in candidates}
    named = dated_names.sorted_by_name(
        poll.casts.select_related("unit", "open_ballot").prefetch_related("unit__former_names"),
        day,
        key=lambda cast: cast.unit,
    )
    for cast in named:
        b = cast.open_ballot
        cast.labels = _labels(poll, names, b.marks if b else [], b.choice if b else "")
    return named


@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk)
    return render(request, "meetings/poll_detail.html", _poll_context(request, poll))


@login_required
def poll_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx polling target: "k of n have voted". Never partial results."""
    poll = get_poll_for_user(request.user, pk, run=True)
    voted, roll = services.poll_progress(poll)
    response = render(
        request,
        "meetings/poll_detail.html#progress",
        {"poll": poll, "voted": voted, "roll": roll, "can_run": True},
    )
    if poll.status != Poll.Status.OPEN:
        response["HX-Refresh"] = "true"
    return response


def _poll_action(request: HttpRequest, pk: int, action, ok: str) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk, run=True)
    url = reverse("meetings:poll_detail", args=[poll.pk])
    try:
        result = action(poll)
    except ValidationError as exc:
        return _error(request, url, exc)
    if isinstance(result, Poll) and result.pk != poll.pk:
        url = reverse("meetings:poll_detail", args=[result.pk])
    return done(request, url, ok)


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _poll_action(
        request,
        pk,
        lambda p: services.poll_open(poll=p, actor=request.user),
        _("Đã mở biểu quyết; danh sách cử tri đã được chốt."),
    )


@login_required
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the turnout and a confirmation (required below the quorum). POST: close."""
    poll = get_poll_for_user(request.user, pk, run=True)
    url = reverse("meetings:poll_detail", args=[poll.pk])
    if poll.status != Poll.Status.OPEN:
        return _error(request, url, ValidationError(_("Chỉ kết thúc được biểu quyết đang mở.")))
    form = CloseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.poll_close(
                poll=poll,
                actor=request.user,
                confirm_low_turnout=form.cleaned_data["confirm_low_turnout"],
            )
        except services.LowTurnout as exc:
            apply_validation_error(form, exc)
            status = 422
        except ValidationError as exc:
            return _error(request, url, exc)
        else:
            return done(request, url, _("Đã kết thúc biểu quyết. Kết quả được tính tự động."))
    voted, roll, needed = services.poll_turnout(poll)
    return render(
        request,
        "meetings/poll_close.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "bloc_year": poll.meeting.bloc_year,
            "bloc": poll.meeting.bloc_year.bloc,
            "form": form,
            "voted": voted,
            "roll": roll,
            "needed": needed,
            "below_quorum": poll.is_electronic and voted < needed,
        },
        status=status,
    )


@login_required
@require_POST
def poll_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _poll_action(
        request,
        pk,
        lambda p: services.poll_publish(
            poll=p, meeting_url=_meeting_url(request, p.meeting), actor=request.user
        ),
        _("Đã công bố kết quả."),
    )


@login_required
@require_POST
def poll_runoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _poll_action(
        request,
        pk,
        lambda p: services.poll_runoff_create(poll=p, actor=request.user),
        _("Đã tạo vòng bỏ phiếu lại giữa các đơn vị bằng phiếu."),
    )


@login_required
def poll_tie_break(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_poll_for_user(request.user, pk, run=True)
    outcome = services.poll_outcome(poll)
    tied = PollCandidate.objects.filter(pk__in=(outcome.runoff if outcome else [])).select_related(
        "unit"
    )
    rule = poll.get_tie_break_rule_display()
    decided_by = rule
    if poll.tie_break_rule == Poll.TieBreak.LEADERS:
        day = timezone.localtime(poll.meeting.starts_at).date()
        terms = {
            t.role: dated_names.name_on(t.unit, day)
            for t in poll.meeting.bloc_year.terms.select_related("unit")
        }
        bloc = poll.meeting.bloc_year.bloc
        names = [
            f"{label} {terms[role]}"
            for role, label in (("leader", bloc.leader_label), ("deputy", bloc.deputy_label))
            if role in terms
        ]
        decided_by = (
            _("%(leader)s và %(deputy)s") % {"leader": names[0], "deputy": names[1]}
            if len(names) == 2
            else (names[0] if names else rule)
        )
    elif poll.meeting.chair:
        decided_by = _("Chủ trì hội nghị: %(chair)s") % {"chair": poll.meeting.chair}
    form = TieBreakForm(request.POST or None, candidates=tied, initial={"decided_by": decided_by})
    if request.method == "POST" and form.is_valid():
        try:
            services.poll_record_tie_break(
                poll=poll,
                winners=list(form.cleaned_data["winners"]),
                decided_by=form.cleaned_data["decided_by"],
                basis=form.cleaned_data["basis"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("meetings:poll_detail", args=[poll.pk]), _("Đã ghi quyết định.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Quyết định khi bằng phiếu: %(t)s") % {"t": poll.title},
            "intro": _("Đã bỏ phiếu %(r)s/%(m)s vòng. Theo quy chế: %(rule)s.")
            % {"r": poll.round_no, "m": poll.max_rounds, "rule": rule},
            "action": reverse("meetings:poll_tie_break", args=[poll.pk]),
            "cancel": reverse("meetings:poll_detail", args=[poll.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def poll_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an outcome whose counts were not reported (show of hands; a past meeting)."""
    poll = get_poll_for_user(request.user, pk, run=True)
    candidates = poll.candidates.select_related("unit")
    form = ReportedForm(request.POST or None, poll=poll, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.poll_record_reported(
                poll=poll,
                winners=list(form.cleaned_data.get("winners") or []),
                adopted=form.cleaned_data.get("adopted") if poll.is_motion else None,
                decided_by=form.cleaned_data["decided_by"],
                basis=form.cleaned_data["basis"],
                meeting_url=_meeting_url(request, poll.meeting),
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("meetings:poll_detail", args=[poll.pk]), _("Đã ghi nhận kết quả.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Ghi nhận kết quả: %(t)s") % {"t": poll.title},
            "intro": _(
                "Dùng khi hội nghị biểu quyết bằng giơ tay hoặc số phiếu không được ghi lại."
            ),
            "action": reverse("meetings:poll_record", args=[poll.pk]),
            "cancel": reverse("meetings:poll_detail", args=[poll.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def poll_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """The counting committee enters the counts of a paper poll."""
    poll = get_poll_for_user(request.user, pk, run=True)
    if poll.mode != Poll.Mode.PAPER:
        raise Http404("Không phải biểu quyết phiếu giấy.")
    candidates = list(poll.candidates.select_related("unit"))
    initial = {
        "counting_committee": poll.counting_committee,
        "ballots_issued": poll.ballots_issued,
        "ballots_returned": poll.ballots_returned,
        "invalid": poll.paper_invalid or 0,
        "blank": poll.paper_blank or 0,
    }
    for pc in poll.paper_counts.all():
        initial[f"v_{pc.choice}" if poll.is_motion else f"c_{pc.candidate_id}"] = pc.votes
    form = PaperCountForm(request.POST or None, poll=poll, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.paper_counts_save(
                poll=poll,
                votes=form.votes(),
                ballots_issued=d["ballots_issued"],
                ballots_returned=d["ballots_returned"],
                invalid=d["invalid"],
                blank=d["blank"],
                committee=d["counting_committee"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("meetings:poll_detail", args=[poll.pk]),
                _("Đã lưu kết quả kiểm phiếu."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Kết quả kiểm phiếu: %(t)s") % {"t": poll.title},
            "intro": _("Ban kiểm phiếu nhập số liệu; kết quả và tỷ lệ do phần mềm tính."),
            "action": reverse("meetings:poll_paper", args=[poll.pk]),
            "cancel": reverse("meetings:poll_detail", args=[poll.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def poll_paper_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """The counting committee enters the paper ballots one by one."""
    poll = get_poll_for_user(request.user, pk, run=True)
    if poll.mode != Poll.Mode.PAPER:
        raise Http404("Không phải biểu quyết phiếu giấy.")
    candidates = list(poll.candidates.select_related("unit"))
    form = PaperBallotForm(
        request.POST if request.method == "POST" else None, poll=poll, candidates=candidates
    )
    url = reverse("meetings:poll_paper_ballot", args=[poll.pk])
    if request.method == "POST" and form.is_valid():
        try:
            entered = services.paper_ballot_add(
                poll=poll,
                marks=form.cleaned_data.get("marks"),
                choice=form.cleaned_data.get("choice", ""),
                invalid=form.cleaned_data["invalid"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, url, _("Đã nhập phiếu (%(n)s phiếu đã nhập).") % {"n": entered})
    entered = poll.ballots.count()
    return form_page(
        request,
        {
            "form": form,
            "title": _("Nhập từng phiếu: %(t)s") % {"t": poll.title},
            "intro": _("Ban kiểm phiếu nhập lần lượt từng phiếu giấy. Đã nhập %(n)s/%(m)s phiếu.")
            % {"n": entered, "m": poll.ballots_issued or poll.roll_size or 0},
            "action": url,
            "cancel": reverse("meetings:poll_detail", args=[poll.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def poll_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the roll with who has an account, a slip or has voted. POST: print one-time codes
    for the chosen units (a unit's earlier code is voided); the codes appear in this one
    response only and are never stored or logged; the printing is audited."""
    poll = get_poll_for_user(request.user, pk, run=True)
    if poll.status != Poll.Status.OPEN or not poll.is_electronic:
        raise Http404(_("Chỉ có mã phiếu khi biểu quyết điện tử đang mở."))
    context = {
        "poll": poll,
        "meeting": poll.meeting,
        "bloc_year": poll.meeting.bloc_year,
        "bloc": poll.meeting.bloc_year.bloc,
    }
    if request.method == "POST":
        unit_ids = [int(u) for u in request.POST.getlist("units") if u.isdigit()]
        try:
            slips = services.poll_slips_issue(poll=poll, unit_ids=unit_ids, actor=request.user)
        except ValidationError as exc:
            return _error(request, reverse("meetings:poll_slips", args=[poll.pk]), exc)
        base = request.build_absolute_uri(reverse("meetings:vote_poll", args=[poll.pk]))
        for slip in slips:
            slip.qr = qr_data_uri(f"{base}#{slip.code}")
        response = render(
            request,
            "meetings/poll_slips_print.html",
            {**context, "slips": slips, "vote_url": base},
        )
        response["Cache-Control"] = "no-store"
        return response
    voters = list(poll.voters.select_related("slip_issued_by").order_by("name"))
    voted = set(poll.casts.values_list("unit_id", flat=True))
    accounts = services.units_with_accounts(poll)
    for v in voters:
        v.voted = v.unit_id in voted
        v.has_account = v.unit_id in accounts
    return render(request, "meetings/poll_slips.html", {**context, "voters": voters})


# --- exports ---------------------------------------------------------------------------------


def _export_rows(poll: Poll) -> list[list]:
    result = services.poll_result(poll)  # raises TallyTampered
    rows = [
        [_("Biểu quyết"), poll.title],
        [_("Hội nghị"), poll.meeting.label],
        [_("Ngưỡng"), result.rule],
        [_("Căn cứ"), result.rule_basis],
        [_("Phiếu trắng"), result.blank_rule],
    ]
    if result.returned is not None:
        rows += [
            [_("Số đơn vị có mặt (được biểu quyết)"), result.present],
            [_("Số phiếu thu về"), result.returned],
            [_("Phiếu hợp lệ"), result.valid],
            [_("Phiếu không hợp lệ"), result.invalid],
            [_("Phiếu trắng"), result.blank],
        ]
    rows += [
        [_("Mã băm danh sách cử tri"), result.roll_digest],
        [_("Mã niêm phong kết quả (SHA-256)"), result.digest],
        [],
    ]
    rows.append([_("Lựa chọn"), _("Số phiếu"), _("Tỷ lệ"), _("Kết quả"), _("Giải thích")])
    for o in result.options:
        rows.append([o.label, o.votes, o.percent_text, o.word, o.sentence])
    rows += [[], [_("Tóm tắt"), result.outcome]]
    if result.low_turnout:
        rows.append([_("Lưu ý"), result.low_turnout])
    return [[neutralize(v) if isinstance(v, str) else v for v in row] for row in rows]


def _export_poll(request: HttpRequest, pk: int) -> Poll:
    poll = get_poll_for_user(request.user, pk)
    if not poll.results_visible(can_run=can_run_bloc(request.user, poll.meeting.bloc_year.bloc)):
        raise PermissionDenied(_("Kết quả chưa được công bố."))
    return poll


def _tampered_response(request: HttpRequest, poll: Poll, exc) -> HttpResponse:
    return render(
        request,
        "meetings/tampered.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "bloc_year": poll.meeting.bloc_year,
            "bloc": poll.meeting.bloc_year.bloc,
            "message": exc.messages[0],
        },
        status=409,
    )


@login_required
def poll_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _export_poll(request, pk)
    try:
        rows = _export_rows(poll)
    except services.TallyTampered as exc:
        return _tampered_response(request, poll, exc)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(row)
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-bieu-quyet-{poll.pk}.csv"'
    return response


@login_required
def poll_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    poll = _export_poll(request, pk)
    try:
        rows = _export_rows(poll)
    except services.TallyTampered as exc:
        return _tampered_response(request, poll, exc)
    wb = Workbook()
    ws = wb.active
    ws.title = "Ket qua"
    for row in rows:
        ws.append(row)
    for col, width in zip("ABCDE", (34, 12, 10, 10, 90), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ket-qua-bieu-quyet-{poll.pk}.xlsx"'
    return response


# --- the public bulletin and its verifier ------------------------------------------------------


def _published_poll(pk: int) -> Poll:
    poll = (
        Poll.objects.select_related("meeting__bloc_year__bloc")
        .filter(pk=pk, status=Poll.Status.PUBLISHED)
        .exclude(mode=Poll.Mode.REPORTED)
        .first()
    )
    if poll is None:
        raise Http404(_("Không có bảng kết quả công khai cho biểu quyết này."))
    return poll


def poll_bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    """The public bulletin of a published poll: anyone can recount and recheck it."""
    poll = _published_poll(pk)
    context = {"poll": poll, "meeting": poll.meeting}
    try:
        data = services.poll_bulletin(poll)
        outcome = services.poll_outcome(poll)
    except services.TallyTampered as exc:
        return render(request, "meetings/bulletin.html", {**context, "tampered": exc}, status=409)
    names = {o["id"]: o["label"] for o in data["options"]}
    for b in data["ballots"]:
        b["labels"] = (
            [names[b["choice"]]]
            if "choice" in b
            else [names.get(m, "?") for m in b.get("marks", [])]
        )
    return render(
        request,
        "meetings/bulletin.html",
        {
            **context,
            "data": data,
            "outcome": outcome,
            "low_turnout": services.low_turnout_note(poll),
        },
    )


def poll_bulletin_json(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _published_poll(pk)
    try:
        data = services.poll_bulletin_bundle(poll)
    except services.TallyTampered as exc:
        return JsonResponse({"error": exc.messages[0]}, status=409)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="bieu-quyet-{poll.pk}.json"'
    return response


def verifier_download(request: HttpRequest) -> HttpResponse:
    """The standalone verifier (Python standard library only), to run on one's own machine."""
    source = (Path(__file__).resolve().parent / "verify.py").read_text(encoding="utf-8")
    response = HttpResponse(source, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kiem_tra_ket_qua.py"'
    return response


# --- voting: a slip's one-time code, or a delegate's account -----------------------------------
#
# A code never appears in a URL path or query (a QR carries it in the fragment, which browsers
# never send) nor in any log line: it travels in POST bodies only.


# The ballot box's states tested ahead of the ballot's own, given as false rather than left out:
# a name missing from the context costs the template engine three failed lookups each (a
# quarter of the receipt's render, measured).
_BOX_BEFORE_BALLOT = {
    "enter_code": False,
    "bad_code": False,
    "throttled": False,
    "closed": False,
    "recorded": None,
}


def _vote_context(voter: PollVoter) -> dict:
    poll = voter.poll
    return {**_BOX_BEFORE_BALLOT, "poll": poll, "meeting": poll.meeting, "unit_name": voter.name}


def _ballot_flow(request: HttpRequest, voter: PollVoter, hidden: dict, action: str):
    """The voter's screen: ballot → review ("Xác nhận") → cast → receipt. Re-entering after
    the ballot is recorded shows the receipt again (a lost reply loses nothing)."""
    poll = voter.poll
    context = {**_vote_context(voter), "hidden": hidden, "action": action}
    htmx = bool(request.htmx)
    template = "meetings/vote.html#box" if htmx else "meetings/vote.html"
    step = request.POST.get("step", "") if request.method == "POST" else ""
    # On the final step the one-ballot constraint answers "already recorded" (AlreadyVoted).
    receipt = services.cast_receipt(voter) if step != "confirm" else None
    if receipt is not None:
        # A second ballot is refused (409); coming back only to look is not an error.
        status = 409 if step == "confirm" else 200
        return render(request, template, {**context, "recorded": receipt}, status=status)
    if poll.status != Poll.Status.OPEN:
        return render(request, template, {**context, "not_open": True})
    form = BallotForm(
        request.POST if step in ("review", "confirm") else None,
        poll=poll,
        choices=[(pk, label) for pk, label, _unit in services.poll_candidate_rows(poll)],
        initial=_initial_from(request.POST) if step == "edit" else None,
    )
    status = 200
    if step in ("review", "confirm") and form.is_valid():
        d = form.cleaned_data
        try:
            if step == "review":
                services.ballot_check(
                    voter=voter, marks=d.get("marks"), choice=d.get("choice", ""), blank=d["blank"]
                )
                return render(
                    request,
                    template,
                    {**context, "review": form, "chosen": form.chosen_labels(), "data": d},
                )
            receipt = services.ballot_cast(
                voter=voter, marks=d.get("marks"), choice=d.get("choice", ""), blank=d["blank"]
            )
        except services.AlreadyVoted as exc:
            return render(request, template, {**context, "recorded": exc.receipt}, status=409)
        except services.VoteRefused as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            # The receipt is the voter's: shown now, listed in the bulletin apart from any ballot.
            if htmx:
                # The box alone needs no request context (no form, no token, no menu): rendered
                # without the context processors, on the path every voter takes at once.
                return HttpResponse(render_to_string(template, {**context, "receipt": receipt}))
            return render(request, template, {**context, "receipt": receipt})
    elif step in ("review", "confirm"):
        status = 422
    return render(request, template, {**context, "form": form}, status=status)


def _initial_from(data) -> dict:
    return {
        "marks": data.getlist("marks"),
        "choice": data.get("choice", ""),
        "blank": data.get("blank") in ("on", "true", "True", "1"),
    }


def vote(request: HttpRequest, poll_pk: int | None = None) -> HttpResponse:
    """Vote with a slip's one-time code, typed in (or filled in from the QR's fragment)."""
    action = reverse("meetings:vote_poll", args=[poll_pk]) if poll_pk else reverse("meetings:vote")
    context = {"enter_code": True, "action": action, "poll_pk": poll_pk}
    if request.method != "POST":
        return render(request, "meetings/vote.html", context)
    code = services.normalize_code(request.POST.get("code", ""))
    # The throttle's check and the code's lookup in one read; a blocked client learns nothing.
    wait, voter = services.voter_for_code_unless_throttled(code, throttle.keys(request, poll_pk))
    if wait:
        return render(
            request,
            "meetings/vote.html#box" if request.htmx else "meetings/vote.html",
            {**context, "throttled": max(1, math.ceil(wait / 60))},
            status=429,
        )
    if voter is None or (poll_pk and voter.poll_id != poll_pk):
        throttle.record_failure(request, poll_pk)
        return render(
            request,
            "meetings/vote.html#box" if request.htmx else "meetings/vote.html",
            {**context, "bad_code": True},
            status=404,
        )
    if voter.poll.status == Poll.Status.PUBLISHED:
        # A closed poll's code shows only the public bulletin.
        url = reverse("meetings:poll_bulletin", args=[voter.poll_id])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if voter.poll.status == Poll.Status.CLOSED:
        return render(
            request,
            "meetings/vote.html#box" if request.htmx else "meetings/vote.html",
            {**context, "closed": True},
        )
    return _ballot_flow(request, voter, {"code": code}, action)


@login_required
def poll_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """A delegate votes for their unit from their account (after check-in: on the roll)."""
    poll = get_poll_for_user(request.user, pk)
    voters = services.voters_for_user(poll, request.user)
    if not voters:
        raise PermissionDenied(
            _(
                "Đơn vị của bạn không có trong danh sách cử tri của biểu quyết này "
                "(chưa điểm danh có mặt khi biểu quyết mở)."
            )
        )
    wanted = request.POST.get("unit") or request.GET.get("unit")
    voter = next((v for v in voters if str(v.unit_id) == wanted), voters[0])
    if poll.status == Poll.Status.PUBLISHED:
        return redirect(reverse("meetings:poll_bulletin", args=[poll.pk]))
    return _ballot_flow(
        request,
        voter,
        {"unit": voter.unit_id},
        reverse("meetings:poll_ballot", args=[poll.pk]),
    )
