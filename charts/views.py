"""The province overview page and the SVG/PNG export of every chart (for slides)."""

from __future__ import annotations

import subprocess

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override

from awards.models import ScoringScheme
from awards.ranking import compute_ranking
from blocs.access import get_bloc_year_for_user, get_unit_for_user, roles_of, visible_organizers
from blocs.services import unit_lineage

from . import pages
from .data import STAGES, stage_labels
from .svg import Chart

# A downloaded SVG file styles itself with its own <style> element, and has no script.
EXPORT_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE]}


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _export(request: HttpRequest, chart: Chart | None) -> HttpResponse:
    if chart is None or chart.is_empty:
        raise Http404(_("Chưa có biểu đồ này."))
    fmt = request.GET.get("format", "svg")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "png":
        try:
            body = chart.png()
        except (OSError, subprocess.SubprocessError):
            return HttpResponse(
                _("Không tạo được ảnh PNG trên máy chủ này (thiếu pdftoppm). Hãy tải bản SVG."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(body, content_type="image/png")
    elif fmt == "svg":
        response = HttpResponse(chart.standalone_svg(), content_type="image/svg+xml; charset=utf-8")
    else:
        raise Http404(_("Định dạng không hỗ trợ."))
    response["Content-Disposition"] = f'attachment; filename="{chart.key}-{stamp}.{fmt}"'
    return response


@login_required
@csp_override(EXPORT_CSP)
def ranking_export(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    scheme = ScoringScheme.objects.filter(bloc_year=bloc_year).first()
    ranking = (
        compute_ranking(scheme)
        if scheme is not None and scheme.phase != ScoringScheme.Phase.DRAFT
        else None
    )
    return _export(request, pages.ranking_charts(bloc_year, ranking).get(name))


@login_required
@csp_override(EXPORT_CSP)
def unit_export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    return _export(request, pages.unit_charts(unit, unit_lineage(unit)).get("years"))


@csp_override(EXPORT_CSP)
def _export_file(request: HttpRequest, chart: Chart | None) -> HttpResponse:
    return _export(request, chart)


@login_required
def poll_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The votes chart of a published poll. Its outcome is recomputed and checked against the
    seal like every results surface: a tampered tally gets the red warning (409), no chart."""
    from meetings import services as meeting_services
    from meetings.models import Poll
    from meetings.views import get_poll_for_user

    poll = get_poll_for_user(request.user, pk)
    if poll.status != Poll.Status.PUBLISHED:
        raise Http404(_("Chưa có biểu đồ này."))  # no chart before publication
    try:
        outcome = meeting_services.poll_outcome(poll)
    except meeting_services.TallyTampered as exc:
        return tampered_response(request, poll, exc)
    return _export_file(request, pages.poll_charts(poll, outcome).get("votes"))


def tampered_response(request: HttpRequest, poll, exc) -> HttpResponse:
    """The page every results surface shows for a tally that no longer matches its seal (an
    HTML page under the app's own CSP, not the export's)."""
    meeting = poll.meeting
    return render(
        request,
        "meetings/tampered.html",
        {
            "poll": poll,
            "meeting": meeting,
            "bloc_year": meeting.bloc_year,
            "bloc": meeting.bloc_year.bloc,
            "message": exc.messages[0],
        },
        status=409,
    )


def _overview_scope(request: HttpRequest) -> tuple[int, int | None]:
    if not roles_of(request.user).is_office:
        raise PermissionDenied(_("Tổng quan tỉnh dành cho cán bộ Ban Thi đua – Khen thưởng."))
    year = _int(request.GET.get("year")) or timezone.localdate().year
    organizer_id = _int(request.GET.get("organizer"))
    if organizer_id and not visible_organizers(request.user).filter(pk=organizer_id).exists():
        raise Http404(_("Không tìm thấy cơ quan tổ chức."))
    return year, organizer_id


@login_required
@csp_override(EXPORT_CSP)
def overview_export(request: HttpRequest, name: str) -> HttpResponse:
    year, organizer_id = _overview_scope(request)
    charts = pages.overview_charts(request.user, year=year, organizer_id=organizer_id)
    return _export(request, charts.get(name) if name in ("stages", "late", "awards") else None)


@login_required
def overview_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's overview panel, which the dashboard loads after its own table (htmx).

    Its counts read every bloc-year of the year: at national scale (690 bloc-years) they cost
    as much as the rest of the dashboard, so the table no longer waits for them (issue 15).
    The same rules as the overview page: office staff only (403), their own provinces (404).
    Opened without htmx (a bookmark, no JavaScript) it sends the reader to the overview page."""
    year, organizer_id = _overview_scope(request)
    if not request.htmx:
        return redirect(reverse("charts:overview") + pages.overview_query(year, organizer_id))
    charts = pages.overview_charts(request.user, year=year, organizer_id=organizer_id)
    return render(
        request, "charts/overview_panel.html", {"ov": charts, "organizer_id": organizer_id}
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Province overview: the three charts and the bloc-years they count, filtered by a bar."""
    year, organizer_id = _overview_scope(request)
    charts = pages.overview_charts(request.user, year=year, organizer_id=organizer_id)
    stage = request.GET.get("stage", "")
    late = request.GET.get("late", "")
    rows = charts["rows"]
    if stage in dict(STAGES):
        rows = [y for y in rows if y.stage == stage]
    if late in ("registration", "self_scoring", "proposal"):
        rows = [y for y in rows if y.late[late]]
    this_year = timezone.localdate().year
    return render(
        request,
        "charts/overview.html",
        {
            "year": year,
            "organizer_id": organizer_id,
            "organizers": list(
                visible_organizers(request.user).only("pk", "name").order_by("name")
            ),
            "year_choices": list(range(this_year + 1, this_year - 8, -1)),
            "charts": charts,
            "rows": rows,
            "stage": stage,
            "late": late,
            "stage_labels": stage_labels(),
        },
    )
