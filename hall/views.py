"""The hall screen (public, no login) and the secretary's screen console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from khoithidua.lib.views import done
from meetings.models import AgendaItem, Meeting, Poll
from meetings.views import get_meeting_for_user

from . import services
from .models import ScreenState


def _stage_response(request: HttpRequest, meeting: Meeting, template: str, context: dict):
    state = services.state_of(meeting)
    stage = services.stage(meeting, state)
    if request.htmx and request.GET.get("h") == stage.fingerprint:
        return HttpResponse(status=204)  # unchanged: htmx keeps what is shown
    context |= {"meeting": meeting, "stage": stage, "state": state}
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def screen(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The projector page: no login, so the address carries a key (services.screen_key) that
    only the console shows; it shows only what services.stage() allows."""
    meeting = (
        Meeting.objects.select_related("bloc_year__bloc", "host_unit").filter(pk=pk).first()
        if services.screen_key_ok(pk, key)
        else None
    )
    if meeting is None:
        raise Http404(_("Không tìm thấy hội nghị."))
    template = "hall/screen.html#stage" if request.htmx else "hall/screen.html"
    return _stage_response(
        request, meeting, template, {"bloc": meeting.bloc_year.bloc, "screen_key": key}
    )


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    return _stage_response(
        request,
        meeting,
        "hall/console.html",
        {
            "bloc_year": meeting.bloc_year,
            "bloc": meeting.bloc_year.bloc,
            "agenda": list(meeting.agenda_items.all()),
            "polls": list(meeting.polls.order_by("created_at", "id")),
            "screen_key": services.screen_key(meeting.pk),
            "screen_url": request.build_absolute_uri(
                reverse("hall:screen", args=[meeting.pk, services.screen_key(meeting.pk)])
            ),
            "views": ScreenState.View,
        },
    )


@login_required
@require_POST
def show(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    view = request.POST.get("view") or None
    item = poll = None
    if view == ScreenState.View.AGENDA:
        item = AgendaItem.objects.filter(meeting=meeting, pk=_int(request.POST.get("item"))).first()
        if item is None:
            raise Http404(_("Không tìm thấy nội dung chương trình."))
    elif view == ScreenState.View.POLL:
        poll = Poll.objects.filter(meeting=meeting, pk=_int(request.POST.get("poll"))).first()
        if poll is None:
            raise Http404(_("Không tìm thấy biểu quyết."))
    active = {"on": True, "off": False}.get(request.POST.get("active", ""))
    back = request.POST.get("next") or reverse("hall:console", args=[meeting.pk])
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("hall:console", args=[meeting.pk])
    try:
        state = services.screen_show(
            meeting=meeting, actor=request.user, view=view, item=item, poll=poll, active=active
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return done(request, back)
    if not state.active:
        return done(request, back, _("Đã tắt màn hình trình chiếu."))
    return done(
        request,
        back,
        _("Màn hình trình chiếu đang hiện: %(v)s.") % {"v": state.get_view_display()},
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
