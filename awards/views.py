"""Award pages: the bloc-year's awards (quotas, nominations, proposals, decisions), the catalog,
the results and the province-wide report, deadlines. Typed function views; rules live in services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import (
    can_manage_bloc,
    get_bloc_year_for_user,
    managed_organizers,
    require_office,
    visible_blocs,
    visible_organizers,
)
from blocs.models import AuditEvent, BlocYear

# The registry's PRG and error helpers, shared so every app answers forms the same way.
from khoithidua.lib.views import apply_validation_error, done

from . import catalog, reports, services
from .access import can_run, require_manage_bloc, require_run
from .forms import (
    AwardForm,
    AwardTitleForm,
    DeadlineForm,
    DecisionForm,
    NominationAddForm,
    QuotaForm,
    ReasonForm,
    ReportFilterForm,
)
from .models import Award, AwardQuota, AwardTally, AwardTitle, Nomination
from .ranking import ranking_for

REPORT_PAGE_SIZE = 50


def _year_url(name: str, bloc_year: BlocYear) -> str:
    return reverse(f"awards:{name}", args=[bloc_year.pk])


# --- the bloc-year's awards -----------------------------------------------------------------


def _awards_context(request: HttpRequest, bloc_year: BlocYear, **forms) -> dict:
    run = can_run(request.user, bloc_year)
    office = can_manage_bloc(request.user, bloc_year.bloc)
    quotas = list(
        AwardQuota.objects.filter(bloc_year=bloc_year)
        .select_related("award_title")
        .order_by("award_title__rank")
    )
    awards = list(
        reports.awards_queryset()
        .filter(bloc_year=bloc_year)
        .order_by("award_title__rank", "person_name", "collective_name", "unit__name")
    )
    used: dict[int, list[int]] = {}
    for a in awards:
        if a.status != Award.Status.REJECTED:
            counts = used.setdefault(a.award_title_id, [0, 0])
            counts[1 if a.person_name else 0] += 1
    for q in quotas:
        q.used_collectives, q.used_individuals = used.get(q.award_title_id, [0, 0])
    nominations = list(
        Nomination.objects.filter(bloc_year=bloc_year)
        .select_related("award_title", "unit")
        .order_by("award_title__rank", "status", "rank", "unit__name")
    )
    groups: dict[int, dict] = {}
    for q in quotas:
        groups[q.award_title_id] = {"title": q.award_title, "quota": q, "items": []}
    for n in nominations:
        groups.setdefault(n.award_title_id, {"title": n.award_title, "quota": None, "items": []})[
            "items"
        ].append(n)
    history = list(
        AuditEvent.objects.filter(
            object_type="blocs.blocyear",
            object_id=str(bloc_year.pk),
            action__startswith="nomination.",
        )
        .select_related("actor")
        .order_by("-at")[:30]
    )
    context = {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "quotas": quotas,
        "nomination_groups": list(groups.values()),
        "awards": awards,
        "tallies": list(
            AwardTally.objects.filter(bloc_year=bloc_year).select_related("award_title")
        ),
        "history": history,
        "can_run": run,
        "can_decide": office,
        "active": "awards",
    }
    if run:
        context["quota_form"] = forms.get("quota_form") or QuotaForm(bloc_year=bloc_year)
        context["nomination_form"] = forms.get("nomination_form") or NominationAddForm(
            bloc_year=bloc_year
        )
        context["award_form"] = forms.get("award_form") or AwardForm(
            bloc_year=bloc_year, initial={"proposed_on": timezone.localdate()}
        )
    if office:
        context["decision_form"] = forms.get("decision_form") or DecisionForm(bloc_year=bloc_year)
    context["error"] = forms.get("error")
    return context


def _awards_page(
    request: HttpRequest, bloc_year: BlocYear, status: int = 200, **forms
) -> HttpResponse:
    return render(
        request,
        "awards/year_awards.html",
        _awards_context(request, bloc_year, **forms),
        status=status,
    )


@login_required
def year_awards(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    return _awards_page(request, bloc_year)


@login_required
@require_POST
def quota_set(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    form = QuotaForm(request.POST, bloc_year=bloc_year)
    if form.is_valid():
        try:
            services.quota_set(bloc_year=bloc_year, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, _year_url("year_awards", bloc_year) + "#quotas", _("Đã lưu chỉ tiêu.")
            )
    return _awards_page(request, bloc_year, status=422, quota_form=form)


@login_required
@require_POST
def nominations_generate(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    title = get_object_or_404(AwardTitle, pk=request.POST.get("award_title") or 0)
    try:
        created = services.nominations_generate(
            bloc_year=bloc_year, award_title=title, actor=request.user
        )
    except ValidationError as exc:
        return _awards_page(request, bloc_year, status=422, error=" ".join(exc.messages))
    return done(
        request,
        _year_url("year_awards", bloc_year) + "#nominations",
        _("Đã lập danh sách đề cử %(title)s: thêm %(n)s đơn vị.")
        % {"title": title.name, "n": len(created)},
    )


@login_required
@require_POST
def nomination_add(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    form = NominationAddForm(request.POST, bloc_year=bloc_year)
    if form.is_valid():
        try:
            services.nomination_add(bloc_year=bloc_year, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, _year_url("year_awards", bloc_year) + "#nominations", _("Đã thêm đề cử.")
            )
    return _awards_page(request, bloc_year, status=422, nomination_form=form)


@login_required
@require_POST
def nomination_change(
    request: HttpRequest, pk: int, nomination_pk: int, action: str
) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    nomination = get_object_or_404(Nomination, pk=nomination_pk, bloc_year=bloc_year)
    form = ReasonForm(request.POST)
    if form.is_valid():
        fn = services.nomination_withdraw if action == "withdraw" else services.nomination_restore
        try:
            fn(nomination=nomination, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            return _awards_page(request, bloc_year, status=422, error=" ".join(exc.messages))
        return done(
            request, _year_url("year_awards", bloc_year) + "#nominations", _("Đã cập nhật đề cử.")
        )
    return _awards_page(
        request, bloc_year, status=422, error=_("Cần ghi lý do khi thay đổi danh sách đề cử.")
    )


@login_required
@require_POST
def award_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    form = AwardForm(request.POST, bloc_year=bloc_year)
    if form.is_valid():
        try:
            services.award_create(bloc_year=bloc_year, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                _year_url("year_awards", bloc_year) + "#awards",
                _("Đã ghi đề nghị khen thưởng."),
            )
    return _awards_page(request, bloc_year, status=422, award_form=form)


@login_required
@require_POST
def award_decision(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    require_manage_bloc(request.user, bloc_year)
    form = DecisionForm(request.POST, bloc_year=bloc_year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.award_record_decision(
                awards=data["awards"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                decision_issuer=data["decision_issuer"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                _year_url("year_awards", bloc_year) + "#awards",
                _("Đã ghi quyết định khen thưởng."),
            )
    return _awards_page(request, bloc_year, status=422, decision_form=form)


@login_required
@require_POST
def award_reject(request: HttpRequest, pk: int, award_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    require_manage_bloc(request.user, bloc_year)
    award = get_object_or_404(Award, pk=award_pk, bloc_year=bloc_year)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.award_reject(
                award=award, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            return _awards_page(request, bloc_year, status=422, error=" ".join(exc.messages))
        return done(
            request,
            _year_url("year_awards", bloc_year) + "#awards",
            _("Đã ghi không được công nhận."),
        )
    return _awards_page(request, bloc_year, status=422, error=_("Cần ghi lý do."))


# --- catalog --------------------------------------------------------------------------------


@login_required
def title_list(request: HttpRequest) -> HttpResponse:
    organizers = list(visible_organizers(request.user).order_by("name"))
    titles = (
        AwardTitle.objects.filter(Q(organizer__isnull=True) | Q(organizer__in=organizers))
        .select_related("organizer")
        .order_by("organizer__name", "rank", "name")
    )
    managed = managed_organizers(request.user)
    form = None
    if managed.exists():
        form = AwardTitleForm(request.POST or None, organizers=managed)
        if request.method == "POST" and form.is_valid():
            services.award_title_create(actor=request.user, **form.cleaned_data)
            return done(
                request,
                reverse("awards:title_list"),
                _("Đã thêm danh hiệu, hình thức khen thưởng."),
            )
    elif request.method == "POST":
        require_office(request.user)
    return render(
        request,
        "awards/title_list.html",
        {
            "titles": titles,
            "form": form,
            "missing": len(catalog.LEGAL_TITLES)
            - AwardTitle.objects.filter(code__in=[t["code"] for t in catalog.LEGAL_TITLES]).count(),
        },
        status=422 if form is not None and form.is_bound else 200,
    )


@login_required
@require_POST
def catalog_load(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    created = catalog.ensure_catalog()
    return done(
        request,
        reverse("awards:title_list"),
        _("Đã nạp %(n)s danh hiệu theo quy định.") % {"n": created},
    )


# --- reports --------------------------------------------------------------------------------


def _report_queryset(request: HttpRequest):
    organizers = list(visible_organizers(request.user).order_by("name"))
    titles = list(
        AwardTitle.objects.filter(Q(organizer__isnull=True) | Q(organizer__in=organizers)).order_by(
            "rank"
        )
    )
    form = ReportFilterForm(request.GET or None, organizers=organizers, titles=titles)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = reports.awards_queryset().filter(bloc_year__bloc__in=visible_blocs(request.user))
    qs = reports.filter_awards(qs, **{k: v for k, v in filters.items() if v})
    return form, qs


@login_required
def award_report(request: HttpRequest) -> HttpResponse:
    form, qs = _report_queryset(request)
    page = Paginator(qs, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = {
        row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("pk"))
    }
    template = "awards/award_report.html#results" if request.htmx else "awards/award_report.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "totals": totals,
            "active_nav": "report",
        },
    )


@login_required
def award_report_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _report_queryset(request)
    response = HttpResponse(reports.export_awards_xlsx(qs), content_type=reports.XLSX_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="khen-thuong-{stamp}.xlsx"'
    return response


def _results_context(bloc_year: BlocYear) -> dict:
    ranking = ranking_for(bloc_year)
    awards = list(
        reports.awards_queryset()
        .filter(bloc_year=bloc_year)
        .order_by("award_title__rank", "person_name", "unit__name")
    )
    tallies = list(AwardTally.objects.filter(bloc_year=bloc_year).select_related("award_title"))
    recorded: dict[int, list[int]] = {}
    for a in awards:
        counts = recorded.setdefault(a.award_title_id, [0, 0])
        counts[1 if a.person_name else 0] += 1
    for t in tallies:
        t.recorded_collectives, t.recorded_individuals = recorded.get(t.award_title_id, [0, 0])
    return {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "ranking": ranking,
        "awards": awards,
        "tallies": tallies,
        "active": "results",
    }


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    status = request.GET.get("status", "")
    context = _results_context(bloc_year)
    if status in Award.Status.values:
        context["awards"] = [a for a in context["awards"] if a.status == status]
    context["status"] = status
    context["statuses"] = Award.Status.choices
    return render(request, "awards/results.html", context)


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    context = _results_context(bloc_year)
    data = reports.export_results_xlsx(
        bloc_year, context["ranking"], context["awards"], context["tallies"]
    )
    response = HttpResponse(data, content_type=reports.XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="ket-qua-{bloc_year.bloc.code}-{bloc_year.year}.xlsx"'
    )
    return response


# --- deadlines ------------------------------------------------------------------------------


@login_required
def deadlines(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    run = can_run(request.user, bloc_year)
    form = None
    if run:
        initial = {"kind": request.GET.get("kind", "registration")}
        form = DeadlineForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.deadline_set(bloc_year=bloc_year, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return done(request, _year_url("deadlines", bloc_year), _("Đã lưu thời hạn."))
    elif request.method == "POST":
        require_run(request.user, bloc_year)
    return render(
        request,
        "awards/deadlines.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "items": reports.deadlines_for(bloc_year),
            "form": form,
            "can_run": run,
            "active": "deadlines",
        },
        status=422 if form is not None and form.is_bound else 200,
    )
