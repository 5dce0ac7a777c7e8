"""Meeting pages: meetings, guests, agenda, attendance, polls, voting, results, exports."""

from __future__ import annotations

import base64
import csv
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from blocs.access import can_run_bloc, get_bloc_year_for_user, visible_blocs
from blocs.models import AuditEvent, Unit
from khoithidua.lib.views import apply_validation_error, done, form_page

from . import services
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    BallotForm,
    CheckinForm,
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
    if run and not can_run_bloc(user, meeting.bloc_year.bloc):
        raise PermissionDenied(
            "Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối được thay đổi hội nghị."
        )
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


def qr_data_uri(text: str) -> str:
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(img.to_string()).decode()


def _meeting_url(request: HttpRequest, meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _member_units(bloc_year):
    return Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("name")


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    meetings = (
        bloc_year.meetings.select_related("host_unit")
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
    bloc_year = get_bloc_year_for_user(request.user, pk)
    if not can_run_bloc(request.user, bloc_year.bloc):
        raise PermissionDenied(
            "Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối được tạo hội nghị."
        )
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


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    can_run = can_run_bloc(request.user, meeting.bloc_year.bloc)
    polls = list(meeting.polls.select_related("award_title").annotate(voted=Count("casts")))
    q = services.quorum(meeting)
    attendances = list(meeting.attendances.select_related("unit").order_by("unit__name"))
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
                    raise ValidationError("Không tìm thấy đơn vị.")
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
    rows = list(meeting.attendances.select_related("unit").order_by("unit__name"))
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
    rows = list(
        meeting.attendances.select_related("unit")
        .filter(checkin_code__isnull=False)
        .order_by("unit__name")
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
            return render(request, "meetings/checkin.html", {"done": row})
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
        initial={
            "basis": bloc.voting_basis or "Quy chế hoạt động của Khối",
            "max_rounds": bloc.max_vote_rounds,
            "tie_break_rule": bloc.tie_break_rule,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        candidates = list(data.pop("candidates") or [])
        nomination_ids = {}
        if data["kind"] == Poll.Kind.AWARD and not candidates:
            from awards.services import nominations_for_poll

            noms = nominations_for_poll(
                bloc_year=meeting.bloc_year, award_title=data["award_title"]
            )
            seen = set()
            for n in noms:
                if n.unit_id not in seen:
                    seen.add(n.unit_id)
                    candidates.append(n.unit)
                    nomination_ids[n.unit_id] = n.pk
            if not candidates:
                form.add_error(
                    "candidates", _("Chưa có đề cử cho danh hiệu này; hãy chọn ứng viên.")
                )
        if not form.errors:
            try:
                poll = services.poll_create(
                    meeting=meeting,
                    candidates=candidates,
                    nomination_ids=nomination_ids,
                    actor=request.user,
                    **data,
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
        raise PermissionDenied("Chỉ sửa được biểu quyết ở trạng thái nháp.")
    form = PollForm(
        request.POST or None,
        instance=poll,
        units=_member_units(poll.meeting.bloc_year),
        award_titles=_award_titles(),
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
    candidates = list(poll.candidates.select_related("unit"))
    show_results = poll.status == Poll.Status.PUBLISHED or (
        poll.status == Poll.Status.CLOSED and can_run
    )
    outcome = services.poll_outcome(poll) if show_results else None
    voted, roll = services.poll_progress(poll)
    ctx = {
        "poll": poll,
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "bloc": meeting.bloc_year.bloc,
        "can_run": can_run,
        "candidates": candidates,
        "outcome": outcome,
        "voted": voted,
        "roll": roll,
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
        "can_runoff": bool(
            outcome
            and outcome.tied
            and poll.round_no < poll.max_rounds
            and not poll.runoffs.exists()
        ),
        "needs_tie_break": bool(
            outcome
            and outcome.tied
            and poll.round_no >= poll.max_rounds
            and poll.status == Poll.Status.CLOSED
        ),
    }
    if poll.status == Poll.Status.PUBLISHED and poll.mode != Poll.Mode.REPORTED:
        names = {c.pk: c.unit.name for c in candidates}
        ballots = list(poll.ballots.order_by("receipt"))
        for b in ballots:
            b.labels = (
                ([Ballot.Choice(b.choice).label] if b.choice else [])
                if poll.is_motion
                else [names.get(m, "?") for m in b.marks]
            )
        ctx["ballots"] = ballots
        if poll.mode == Poll.Mode.OPEN:
            ctx["named"] = list(
                poll.casts.select_related("unit", "open_ballot").order_by("unit__name")
            )
            for cast in ctx["named"]:
                b = cast.open_ballot
                cast.labels = (
                    ([Ballot.Choice(b.choice).label] if b and b.choice else [])
                    if poll.is_motion
                    else [names.get(m, "?") for m in (b.marks if b else [])]
                )
    return ctx


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
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _poll_action(
        request,
        pk,
        lambda p: services.poll_close(poll=p, actor=request.user),
        _("Đã kết thúc biểu quyết. Kết quả được tính tự động."),
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
    tied = PollCandidate.objects.filter(pk__in=(outcome.tied if outcome else [])).select_related(
        "unit"
    )
    rule = poll.get_tie_break_rule_display()
    decided_by = rule
    if poll.tie_break_rule == Poll.TieBreak.LEADERS:
        terms = {t.role: t.unit.name for t in poll.meeting.bloc_year.terms.select_related("unit")}
        bloc = poll.meeting.bloc_year.bloc
        names = [
            f"{label} {terms[role]}"
            for role, label in (("leader", bloc.leader_label), ("deputy", bloc.deputy_label))
            if role in terms
        ]
        decided_by = " và ".join(names) or rule
    elif poll.meeting.chair:
        decided_by = f"Chủ trì hội nghị: {poll.meeting.chair}"
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
            ballot = services.paper_ballot_add(
                poll=poll,
                marks=form.cleaned_data.get("marks"),
                choice=form.cleaned_data.get("choice", ""),
                invalid=form.cleaned_data["invalid"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, url, _("Đã nhập phiếu số %(r)s.") % {"r": ballot.receipt})
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
    """Printable one-time ballot codes (with QR) for the frozen roll."""
    poll = get_poll_for_user(request.user, pk, run=True)
    if poll.status != Poll.Status.OPEN or not poll.is_electronic:
        raise Http404("Chỉ có mã phiếu khi biểu quyết điện tử đang mở.")
    voters = list(poll.voters.select_related("unit").order_by("unit__name"))
    for v in voters:
        v.url = request.build_absolute_uri(reverse("meetings:vote_ballot", args=[v.code]))
        v.qr = qr_data_uri(v.url)
    return render(
        request,
        "meetings/poll_slips.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "bloc_year": poll.meeting.bloc_year,
            "bloc": poll.meeting.bloc_year.bloc,
            "voters": voters,
        },
    )


# --- exports ---------------------------------------------------------------------------------


def _safe_cell(value):
    """Neutralise spreadsheet formula injection."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_rows(poll: Poll) -> list[list]:
    outcome = services.poll_outcome(poll)
    rows = [
        [_("Biểu quyết"), poll.title],
        [_("Hội nghị"), poll.meeting.label],
        [_("Ngưỡng"), poll.rule_label],
        [_("Căn cứ"), poll.basis],
    ]
    if outcome and outcome.counts:
        c = outcome.counts
        rows += [
            [_("Số đơn vị có mặt (được biểu quyết)"), c.present],
            [_("Số phiếu thu về"), c.ballots],
            [_("Phiếu hợp lệ"), c.valid],
            [_("Phiếu không hợp lệ"), c.invalid],
            [_("Phiếu trắng"), c.blank],
        ]
    rows += [
        [_("Mã băm danh sách cử tri"), poll.roll_hash],
        [_("Mã băm chuỗi phiếu"), poll.chain_hash],
        [],
    ]
    rows.append([_("Lựa chọn"), _("Số phiếu"), _("Tỷ lệ"), _("Kết quả"), _("Giải thích")])
    for line in outcome.lines if outcome else []:
        rows.append([line.label, line.votes, line.percent, line.status, line.sentence])
    if outcome:
        rows += [[], [_("Tóm tắt"), outcome.summary]]
    return [[_safe_cell(v) for v in row] for row in rows]


def _export_poll(request: HttpRequest, pk: int) -> Poll:
    poll = get_poll_for_user(request.user, pk)
    can_run = can_run_bloc(request.user, poll.meeting.bloc_year.bloc)
    if not (
        poll.status == Poll.Status.PUBLISHED or (poll.status == Poll.Status.CLOSED and can_run)
    ):
        raise PermissionDenied("Kết quả chưa được công bố.")
    return poll


@login_required
def poll_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _export_poll(request, pk)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    for row in _export_rows(poll):
        writer.writerow(row)
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-bieu-quyet-{poll.pk}.csv"'
    return response


@login_required
def poll_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    poll = _export_poll(request, pk)
    wb = Workbook()
    ws = wb.active
    ws.title = "Ket qua"
    for row in _export_rows(poll):
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


# --- voting (no login: the one-time ballot code is the credential) -----------------------------


def vote(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()[:16]
    if code:
        return redirect(reverse("meetings:vote_ballot", args=[code]))
    return render(request, "meetings/vote.html", {"enter_code": True})


def vote_ballot(request: HttpRequest, code: str) -> HttpResponse:
    voter = (
        PollVoter.objects.select_related("poll__meeting", "unit")
        .filter(code=code.upper()[:16])
        .first()
    )
    if voter is None:
        return render(
            request, "meetings/vote.html", {"enter_code": True, "bad_code": True}, status=404
        )
    poll = voter.poll
    candidates = list(poll.candidates.select_related("unit"))
    context = {"poll": poll, "meeting": poll.meeting, "unit": voter.unit, "code": voter.code}
    if poll.status == Poll.Status.PUBLISHED:
        names = {c.pk: c.unit.name for c in candidates}
        ballots = list(poll.ballots.order_by("receipt"))
        for b in ballots:
            b.labels = (
                ([Ballot.Choice(b.choice).label] if b.choice else [])
                if poll.is_motion
                else [names.get(m, "?") for m in b.marks]
            )
        context.update(published=True, outcome=services.poll_outcome(poll), ballots=ballots)
        return render(request, "meetings/vote.html", context)
    already = request.method != "POST" and poll.casts.filter(unit_id=voter.unit_id).exists()
    form = BallotForm(
        request.POST if request.method == "POST" else None, poll=poll, candidates=candidates
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                receipt = services.ballot_cast(
                    voter=voter,
                    candidates={c.pk: c.unit_id for c in candidates},
                    marks=form.cleaned_data.get("marks"),
                    choice=form.cleaned_data.get("choice", ""),
                )
            except services.VoteRefused as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                # The receipt is shown once, in this response: it is stored nowhere next to the voter.
                context["receipt"] = receipt
                template = "meetings/vote.html#receipt" if request.htmx else "meetings/vote.html"
                return render(request, template, context)
        else:
            status = 422
    context.update(form=form, already=already)
    template = "meetings/vote.html#ballot" if request.htmx else "meetings/vote.html"
    return render(request, template, context, status=status)


# --- benchmark floor -------------------------------------------------------------------------


@csrf_exempt
@require_POST
def bench_ping_post(request: HttpRequest) -> HttpResponse:
    """A trivial POST view: the floor for bench/vote.py. Only when BENCH_ENDPOINTS is on."""
    if not getattr(settings, "BENCH_ENDPOINTS", False):
        raise Http404()
    return HttpResponse("ok " + timezone.now().isoformat(), content_type="text/plain")
