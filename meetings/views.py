"""Meeting pages. The meetings issue grows this into attendance, polls and voting."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from blocs.access import get_bloc_year_for_user, visible_blocs

from .models import Meeting


def get_meeting_for_user(user, pk: int) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("bloc_year__bloc__organizer", "host_unit").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("Không tìm thấy hội nghị.") from None
    if not visible_blocs(user).filter(pk=meeting.bloc_year.bloc_id).exists():
        raise Http404("Không tìm thấy hội nghị.")
    return meeting


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    meetings = bloc_year.meetings.select_related("host_unit").order_by("starts_at")
    return render(request, "meetings/meeting_list.html", {"bloc_year": bloc_year, "bloc": bloc_year.bloc, "meetings": meetings})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting, "bloc_year": meeting.bloc_year, "bloc": meeting.bloc_year.bloc})
