"""Project-level views: the dashboard (it reads every app), login with throttling, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from awards.reports import deadline_summaries
from blocs.access import roles_of, visible_blocs, visible_organizers
from blocs.models import Bloc, BlocYear, LeadershipTerm, Level, UnitName
from meetings.models import Meeting

PAGE_SIZE = 25


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Blocs the user may see: current year, leader, deputy, member count, next meeting."""
    roles = roles_of(request.user)
    organizer_id = _int_or_none(request.GET.get("organizer"))
    level = request.GET.get("level", "")
    year = _int_or_none(request.GET.get("year"))
    q = request.GET.get("q", "").strip()[:100]
    show_archived = request.GET.get("archived") == "1"

    blocs = visible_blocs(request.user)
    if not show_archived:
        blocs = blocs.filter(archived_at__isnull=True)
    if organizer_id:
        blocs = blocs.filter(organizer_id=organizer_id)
    if level in Level.values:
        blocs = blocs.filter(level=level)
    if q:
        blocs = blocs.filter(Q(name__icontains=q) | Q(code__icontains=q))

    this_year = timezone.localdate().year
    years = BlocYear.objects.active().filter(bloc=OuterRef("pk"))
    if year:
        blocs = blocs.filter(years__year=year, years__archived_at__isnull=True)
        shown_year = Subquery(years.filter(year=year).values("pk")[:1])
    else:
        shown_year = Coalesce(
            Subquery(years.filter(year__lte=this_year).order_by("-year").values("pk")[:1]),
            Subquery(years.order_by("year").values("pk")[:1]),
        )
    # A meeting of today stays "next" all day (it started this morning: it is not "past" yet).
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    next_meetings = Meeting.objects.upcoming(today_start).filter(bloc_year__bloc=OuterRef("pk"))
    last_meetings = Meeting.objects.past(today_start).filter(bloc_year__bloc=OuterRef("pk"))
    # Paginate the bare ids first, then annotate only the rows shown: with OFFSET over the
    # annotated query PostgreSQL computed the six subqueries for every skipped row (issue 15).
    ordered_ids = blocs.order_by("organizer__name", "name", "pk").values_list("pk", flat=True)
    page = Paginator(ordered_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    by_id = {
        b.pk: b
        for b in Bloc.objects.filter(pk__in=page_ids)
        .select_related("organizer")
        .annotate(
            shown_year_id=shown_year,
            next_meeting_at=Subquery(next_meetings.values("starts_at")[:1]),
            next_meeting_title=Subquery(next_meetings.values("title")[:1]),
            next_meeting_id=Subquery(next_meetings.values("pk")[:1]),
            last_meeting_at=Subquery(last_meetings.values("starts_at")[:1]),
            last_meeting_id=Subquery(last_meetings.values("pk")[:1]),
        )
    }
    page.object_list = [by_id[pk] for pk in page_ids if pk in by_id]
    year_ids = [b.shown_year_id for b in page.object_list if b.shown_year_id]
    names = Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))
    year_by_id = {
        y.pk: y
        for y in BlocYear.objects.filter(pk__in=year_ids)
        .annotate(member_count=Count("memberships"))
        .prefetch_related(
            Prefetch(
                "terms",
                queryset=LeadershipTerm.objects.select_related("unit").prefetch_related(names),
            )
        )
    }
    # One query for the page's deadlines (awards): the most pressing one per bloc-year.
    deadlines = deadline_summaries(
        [
            (year_by_id[b.shown_year_id], b.organizer)
            for b in page.object_list
            if b.shown_year_id in year_by_id
        ]
    )
    rows = [
        {
            "bloc": b,
            "year": year_by_id.get(b.shown_year_id),
            "deadline": deadlines.get(b.shown_year_id),
        }
        for b in page.object_list
    ]

    organizers = list(visible_organizers(request.user).only("pk", "name").order_by("name"))
    context = {
        "rows": rows,
        "page": page,
        "organizers": organizers,
        "levels": Level.choices,
        "year_choices": list(range(this_year + 1, this_year - 8, -1)),
        "this_year": this_year,
        "filters": {
            "organizer": organizer_id,
            "level": level,
            "year": year,
            "q": q,
            "archived": show_archived,
        },
        "can_create": roles.is_office,
        "no_role": not roles.any,
    }
    template = "dashboard.html#results" if request.htmx else "dashboard.html"
    return render(request, template, context)


class ThrottledLoginView(auth_views.LoginView):
    """Django's login; khoithidua.lib.loginguard counts failures and refuses locked clients on
    this page and on /admin/login/ alike."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


def healthz(request: HttpRequest) -> HttpResponse:
    """For the proxy and the orchestrator: 200 only if the database answers and a page renders
    (a missing static manifest or template breaks every page: then this is 503, not 200)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            checks["database"] = cursor.fetchone() == (1,)
    except DatabaseError:
        checks["database"] = False
    try:
        html = render_to_string(
            "registration/login.html", {"form": AuthenticationForm(request)}, request=request
        )
        checks["template"] = "</html>" in html
    except Exception:  # noqa: BLE001 (any failure to render is what this check reports)
        checks["template"] = False
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """A trivial logged-in view: the floor the benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def bench_ping_post(request: HttpRequest) -> HttpResponse:
    """A trivial POST view: the floor for bench/vote.py. Only when BENCH_ENDPOINTS is on."""
    if not getattr(settings, "BENCH_ENDPOINTS", False):
        raise Http404()
    return HttpResponse("ok " + timezone.now().isoformat(), content_type="text/plain")
