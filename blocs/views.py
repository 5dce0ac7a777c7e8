"""Registry views: blocs, bloc-years, members, leaders, units. Typed function views."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khoithidua.lib.views import apply_validation_error, done, form_page

from . import names, services
from .access import (
    can_manage_bloc,
    can_manage_organizer,
    get_bloc_for_user,
    get_bloc_year_for_user,
    get_unit_for_user,
    managed_organizers,
    require_office,
    visible_units,
)
from .forms import (
    BlocForm,
    BlocYearForm,
    LeadershipForm,
    MembershipAddForm,
    MembershipDatesForm,
    RotationForm,
    UnitForm,
    UnitMergeForm,
    UnitReceiveForm,
    UnitRenameForm,
)
from .models import (
    BlocYear,
    LeadershipTerm,
    Membership,
    RotationSlot,
    Unit,
    UnitName,
    year_reference_date,
)


def _years_with_people():
    names = Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))
    return Prefetch(
        "terms",
        queryset=LeadershipTerm.objects.select_related("unit", "proposed_unit").prefetch_related(
            names
        ),
    )


# --- blocs ----------------------------------------------------------------------------------


@login_required
def bloc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A bloc, its years and its leader/deputy timeline, including the years of the blocs it
    continues (predecessors, e.g. a merged province's bloc), marked as such."""
    bloc = get_bloc_for_user(request.user, pk)
    predecessors = services.bloc_predecessors(bloc)
    by_bloc = {b.pk: b for b in [bloc, *predecessors]}
    years = list(
        BlocYear.objects.filter(bloc__in=by_bloc.keys())
        .select_related("bloc__organizer")
        .prefetch_related(
            "bloc__former_names", "bloc__organizer__former_names", _years_with_people()
        )
        .annotate(member_count=Count("memberships"))
        .order_by("year", "bloc__name")
    )
    for y in years:
        y.from_predecessor = y.bloc_id != bloc.pk
        y.bloc_then = y.bloc.name_on(y.reference_date)
    slots = list(
        RotationSlot.objects.filter(bloc=bloc)
        .select_related("unit")
        .prefetch_related("unit__former_names")
    )
    return render(
        request,
        "blocs/bloc_detail.html",
        {
            "bloc": bloc,
            "years": [y for y in years if not y.from_predecessor],
            "predecessor_years": [y for y in years if y.from_predecessor],
            "timeline": [y for y in years if y.terms.all()],
            "slots": slots,
            "predecessors": predecessors,
            "successors": [
                link.successor for link in bloc.successions.select_related("successor__organizer")
            ],
            "former_names": list(bloc.former_names.order_by("valid_until")),
            "can_manage": can_manage_bloc(request.user, bloc),
        },
    )


@login_required
def bloc_create(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = managed_organizers(request.user)
    form = BlocForm(request.POST or None, organizers=organizers)
    if request.method == "POST" and form.is_valid():
        try:
            bloc = services.bloc_save(
                bloc=form.save(commit=False),
                predecessor=form.cleaned_data["predecessor"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("blocs:bloc_detail", args=[bloc.pk]), _("Đã tạo khối thi đua.")
            )
    if organizers.count() == 1 and not form.is_bound:
        form.initial["organizer"] = organizers.first().pk
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm khối thi đua"),
            "action": reverse("blocs:bloc_create"),
            "cancel": reverse("dashboard"),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def bloc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = get_bloc_for_user(request.user, pk, manage=True)
    form = BlocForm(
        request.POST or None, instance=bloc, organizers=managed_organizers(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.bloc_save(
                bloc=form.save(commit=False),
                predecessor=form.cleaned_data["predecessor"],
                name_effective_date=form.cleaned_data.get("name_effective_date"),
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("blocs:bloc_detail", args=[bloc.pk]), _("Đã lưu khối thi đua.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa khối: %(name)s") % {"name": bloc.name},
            "action": reverse("blocs:bloc_edit", args=[bloc.pk]),
            "cancel": reverse("blocs:bloc_detail", args=[bloc.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def bloc_archive(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = get_bloc_for_user(request.user, pk, manage=True)
    archive = request.POST.get("restore") != "1"
    services.bloc_set_archived(bloc=bloc, archived=archive, actor=request.user)
    return done(
        request,
        reverse("blocs:bloc_detail", args=[bloc.pk]),
        _("Đã lưu trữ khối.") if archive else _("Đã khôi phục khối."),
    )


@login_required
def bloc_rotation(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = get_bloc_for_user(request.user, pk, manage=True)
    latest = bloc.years.order_by("-year").first()
    units = Unit.objects.members_of(latest).order_by("name") if latest else Unit.objects.none()
    current = list(RotationSlot.objects.filter(bloc=bloc).values_list("unit_id", flat=True))
    form = RotationForm(request.POST or None, bloc=bloc, units=units, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.rotation_set_order(
                bloc=bloc, units=form.cleaned_data["ordered_units"], actor=request.user
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("blocs:bloc_detail", args=[bloc.pk]),
                _("Đã lưu thứ tự luân phiên."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thứ tự luân phiên: %(name)s") % {"name": bloc.name},
            "intro": _(
                "Chọn đơn vị theo thứ tự sẽ lần lượt làm Khối trưởng. Để trống các vị trí không dùng."
            ),
            "action": reverse("blocs:bloc_rotation", args=[bloc.pk]),
            "cancel": reverse("blocs:bloc_detail", args=[bloc.pk]),
        },
        status=422 if form.is_bound else 200,
    )


# --- bloc-years -----------------------------------------------------------------------------


@login_required
def bloc_year_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = get_bloc_for_user(request.user, pk, manage=True)
    form = BlocYearForm(request.POST or None, bloc=bloc)
    if request.method == "POST" and form.is_valid():
        try:
            bloc_year = services.bloc_year_create(
                bloc=bloc,
                year=form.cleaned_data["year"],
                copy_members=form.cleaned_data.get("copy_members", False),
                plan_reference=form.cleaned_data["plan_reference"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
                _("Đã tạo năm thi đua."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm năm thi đua: %(name)s") % {"name": bloc.name},
            "action": reverse("blocs:bloc_year_create", args=[bloc.pk]),
            "cancel": reverse("blocs:bloc_detail", args=[bloc.pk]),
        },
        status=422 if form.is_bound else 200,
    )


def _bloc_year_context(request: HttpRequest, bloc_year: BlocYear, **extra) -> dict:
    names = Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))
    memberships = list(
        bloc_year.memberships.select_related("unit").prefetch_related(names).order_by("unit__name")
    )
    terms = {
        t.role: t
        for t in LeadershipTerm.objects.filter(bloc_year=bloc_year)
        .select_related("unit", "proposed_unit")
        .prefetch_related("unit__former_names")
    }
    can_manage = can_manage_bloc(request.user, bloc_year.bloc)
    context = {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "memberships": memberships,
        "leader": terms.get(LeadershipTerm.Role.LEADER),
        "deputy": terms.get(LeadershipTerm.Role.DEPUTY),
        "can_manage": can_manage,
        "ref_date": bloc_year.reference_date,
        "quorum_needed": bloc_year.bloc.quorum_needed(len(memberships)),
    }
    # Link only the units this user may open (a delegate sees the members' names, not their pages).
    context["linkable"] = set(
        visible_units(request.user)
        .filter(pk__in=[m.unit_id for m in memberships])
        .values_list("pk", flat=True)
    )
    if can_manage:
        context.setdefault("add_form", MembershipAddForm(bloc_year=bloc_year))
        context.setdefault("leadership_form", LeadershipForm(bloc_year=bloc_year))
        leader, deputy = services.rotation_proposal(bloc_year=bloc_year)
        # Once both posts are proposed or decided, the rotation proposal is settled: no button.
        unsettled = (leader and not context["leader"]) or (deputy and not context["deputy"])
        if unsettled:
            context["rotation_leader"], context["rotation_deputy"] = leader, deputy
    context.update(extra)
    return context


@login_required
def bloc_year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    return render(request, "blocs/bloc_year_detail.html", _bloc_year_context(request, bloc_year))


@login_required
def bloc_year_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    form = BlocYearForm(request.POST or None, instance=bloc_year, bloc=bloc_year.bloc)
    if request.method == "POST" and form.is_valid():
        services.bloc_year_update(bloc_year=form.save(commit=False), actor=request.user)
        return done(
            request,
            reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
            _("Đã lưu năm thi đua."),
        )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa năm thi đua %(year)s") % {"year": bloc_year.year},
            "action": reverse("blocs:bloc_year_edit", args=[bloc_year.pk]),
            "cancel": reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def bloc_year_archive(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    archive = request.POST.get("restore") != "1"
    services.bloc_year_set_archived(bloc_year=bloc_year, archived=archive, actor=request.user)
    return done(
        request,
        reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
        _("Đã lưu trữ năm thi đua.") if archive else _("Đã khôi phục năm thi đua."),
    )


@login_required
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    form = MembershipAddForm(request.POST, bloc_year=bloc_year)
    if form.is_valid():
        try:
            services.membership_add(
                bloc_year=bloc_year,
                unit=form.cleaned_data["unit"],
                joined_on=form.cleaned_data["joined_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if request.htmx:
                return render(
                    request,
                    "blocs/bloc_year_detail.html#members",
                    _bloc_year_context(request, bloc_year),
                )
            return done(
                request,
                reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
                _("Đã thêm thành viên."),
            )
    context = _bloc_year_context(request, bloc_year, add_form=form)
    template = (
        "blocs/bloc_year_detail.html#members" if request.htmx else "blocs/bloc_year_detail.html"
    )
    return render(request, template, context, status=422)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    membership = get_object_or_404(Membership, pk=membership_pk, bloc_year=bloc_year)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if request.htmx:
            context = _bloc_year_context(request, bloc_year, members_error=" ".join(exc.messages))
            return render(request, "blocs/bloc_year_detail.html#members", context, status=422)
        return redirect("blocs:bloc_year_detail", bloc_year.pk)
    if request.htmx:
        return render(
            request, "blocs/bloc_year_detail.html#members", _bloc_year_context(request, bloc_year)
        )
    return done(
        request, reverse("blocs:bloc_year_detail", args=[bloc_year.pk]), _("Đã bớt thành viên.")
    )


@login_required
def membership_edit(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Dates inside the year: a unit that joins or leaves mid-year (e.g. after a reorganisation)."""
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    membership = get_object_or_404(
        Membership.objects.select_related("unit", "bloc_year"),
        pk=membership_pk,
        bloc_year=bloc_year,
    )
    form = MembershipDatesForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        services.membership_update(membership=form.save(commit=False), actor=request.user)
        return done(
            request,
            reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
            _("Đã lưu thời gian tham gia."),
        )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thời gian tham gia năm %(year)s: %(unit)s")
            % {"year": bloc_year.year, "unit": membership.unit.name_in_year(bloc_year.year)},
            "intro": _("Để trống nếu đơn vị tham gia cả năm. Ngày phải nằm trong năm thi đua."),
            "action": reverse("blocs:membership_edit", args=[bloc_year.pk, membership.pk]),
            "cancel": reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def leadership_set(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    form = LeadershipForm(
        request.POST or None, bloc_year=bloc_year, initial={"role": request.GET.get("role")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.leadership_set(
                bloc_year=bloc_year,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
                _("Đã lưu Khối trưởng/Khối phó."),
            )
    if request.method == "POST" and request.htmx:
        return render(
            request,
            "blocs/bloc_year_detail.html#leadership_form",
            _bloc_year_context(request, bloc_year, leadership_form=form),
            status=422,
        )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Khối trưởng / Khối phó năm %(year)s") % {"year": bloc_year.year},
            "action": reverse("blocs:leadership_set", args=[bloc_year.pk]),
            "cancel": reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def leadership_propose(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    try:
        services.rotation_propose(bloc_year=bloc_year, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("blocs:bloc_year_detail", bloc_year.pk)
    return done(
        request,
        reverse("blocs:bloc_year_detail", args=[bloc_year.pk]),
        _("Đã ghi đề xuất luân phiên."),
    )


@login_required
@require_POST
def leadership_accept(request: HttpRequest, pk: int, term_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, manage=True)
    term = get_object_or_404(LeadershipTerm, pk=term_pk, bloc_year=bloc_year)
    try:
        services.leadership_accept(term=term, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("blocs:bloc_year_detail", bloc_year.pk)
    return done(
        request, reverse("blocs:bloc_year_detail", args=[bloc_year.pk]), _("Đã chấp thuận đề xuất.")
    )


# --- units ----------------------------------------------------------------------------------


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = visible_units(request.user).select_related("organizer", "merged_into").order_by("name")
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q)
        )
    if request.GET.get("archived") != "1":
        units = units.filter(archived_at__isnull=True)
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    template = "blocs/unit_list.html#results" if request.htmx else "blocs/unit_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "show_archived": request.GET.get("archived") == "1",
            "can_create": bool(managed_organizers(request.user).exists()),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit and its whole lineage: the units merged into it (across provinces) and the units
    that carried it on, with every bloc-year under the name and province of that year."""
    unit = get_unit_for_user(request.user, pk)
    successors = services.unit_successors(unit)
    root = successors[-1] if successors else unit
    lineage = services.unit_lineage(root)
    memberships = list(
        Membership.objects.filter(unit__in=lineage)
        .select_related("bloc_year__bloc__organizer", "unit__organizer")
        .prefetch_related(
            "unit__former_names", "unit__organizer__former_names", "bloc_year__bloc__former_names"
        )
        .order_by("-bloc_year__year", "bloc_year__bloc__name")
    )
    terms = {
        (t.bloc_year_id, t.unit_id): t
        for t in LeadershipTerm.objects.filter(unit__in=lineage).only(
            "bloc_year_id", "unit_id", "role"
        )
    }
    rows = []
    for m in memberships:
        day = year_reference_date(m.bloc_year.year)
        rows.append(
            {
                "membership": m,
                "year": m.bloc_year.year,
                "bloc": m.bloc_year.bloc,
                "bloc_then": m.bloc_year.bloc.name_on(day),
                "organizer_then": names.organizer_on(m.unit.organizer, day, follow=False).name,
                "name_then": m.unit.name_on(day),
                "is_self": m.unit_id == unit.pk,
                "term": terms.get((m.bloc_year_id, m.unit_id)),
            }
        )
    events = list(
        unit.events.select_related("other_unit__organizer", "recorded_by").order_by(
            "effective_date", "id"
        )
    )
    can_manage = can_manage_organizer(request.user, unit.organizer_id)
    # Link only the units of the lineage and events that this user may open (no 404 links).
    shown = {u.pk for u in lineage} | {u.pk for u in successors} | {m.unit_id for m in memberships}
    shown |= {e.other_unit_id for e in events if e.other_unit_id}
    if unit.merged_into_id:
        shown.add(unit.merged_into_id)
    linkable = set(visible_units(request.user).filter(pk__in=shown).values_list("pk", flat=True))
    return render(
        request,
        "blocs/unit_detail.html",
        {
            "unit": unit,
            "former_names": list(unit.former_names.order_by("valid_until")),
            "merged_from": [u for u in services.unit_lineage(unit) if u.pk != unit.pk],
            "predecessors": sorted(
                (u for u in lineage if u.pk not in {unit.pk, *(s.pk for s in successors)}),
                key=lambda u: (u.merged_on or dt.date.max, u.organizer.name, u.name),
            ),
            "successors": successors,
            "rows": rows,
            "events": events,
            "can_manage": can_manage,
            "can_receive": can_manage and not unit.merged_into_id,
            "linkable": linkable,
            "extra_sections": [],
        },
    )


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = managed_organizers(request.user).filter(merged_into__isnull=True)
    form = UnitForm(request.POST or None, organizers=organizers)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_save(unit=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, reverse("blocs:unit_detail", args=[unit.pk]), _("Đã thêm đơn vị."))
    if organizers.count() == 1 and not form.is_bound:
        form.initial["organizer"] = organizers.first().pk
    return form_page(
        request,
        {
            "form": form,
            "title": _("Thêm đơn vị"),
            "action": reverse("blocs:unit_create"),
            "cancel": reverse("blocs:unit_list"),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = UnitForm(
        request.POST or None, instance=unit, organizers=managed_organizers(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_save(unit=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, reverse("blocs:unit_detail", args=[unit.pk]), _("Đã lưu đơn vị."))
    return form_page(
        request,
        {
            "form": form,
            "title": _("Sửa đơn vị: %(name)s") % {"name": unit.name},
            "action": reverse("blocs:unit_edit", args=[unit.pk]),
            "cancel": reverse("blocs:unit_detail", args=[unit.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def unit_rename(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = UnitRenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_rename(unit=unit, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("blocs:unit_detail", args=[unit.pk]), _("Đã đổi tên đơn vị.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Đổi tên: %(name)s") % {"name": unit.name},
            "intro": _("Các năm trước ngày hiệu lực vẫn hiển thị tên cũ."),
            "action": reverse("blocs:unit_rename", args=[unit.pk]),
            "cancel": reverse("blocs:unit_detail", args=[unit.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = UnitMergeForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_merge(unit=unit, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request, reverse("blocs:unit_detail", args=[unit.pk]), _("Đã hợp nhất đơn vị.")
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Hợp nhất: %(name)s") % {"name": unit.name},
            "intro": _(
                "Đơn vị sẽ được lưu trữ; lịch sử và khen thưởng được giữ và hiển thị ở đơn vị tiếp nhận."
            ),
            "action": reverse("blocs:unit_merge", args=[unit.pk]),
            "cancel": reverse("blocs:unit_detail", args=[unit.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def unit_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The other direction: choose the predecessor that merges into this unit."""
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = UnitReceiveForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        if not can_manage_organizer(request.user, source.organizer_id):
            raise PermissionDenied(_("Anh/chị không quản lý đơn vị tiền thân này."))
        try:
            services.unit_merge(
                unit=source,
                into=unit,
                effective_date=form.cleaned_data["effective_date"],
                basis=form.cleaned_data["basis"],
                actor=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "into" in exc.error_dict:
                exc = ValidationError({"source": exc.error_dict["into"]})
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("blocs:unit_detail", args=[unit.pk]),
                _("Đã nối đơn vị tiền thân vào đơn vị này."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Nhận đơn vị tiền thân: %(name)s") % {"name": unit.name},
            "intro": _(
                "Đơn vị tiền thân được lưu trữ; lịch sử của nó hiện trên trang của đơn vị này."
            ),
            "action": reverse("blocs:unit_receive", args=[unit.pk]),
            "cancel": reverse("blocs:unit_detail", args=[unit.pk]),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def unit_archive(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    archive = request.POST.get("restore") != "1"
    try:
        services.unit_set_archived(unit=unit, archived=archive, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("blocs:unit_detail", unit.pk)
    return done(
        request,
        reverse("blocs:unit_detail", args=[unit.pk]),
        _("Đã lưu trữ đơn vị.") if archive else _("Đã khôi phục đơn vị."),
    )
