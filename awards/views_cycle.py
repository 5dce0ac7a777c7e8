"""Covenant (giao ước thi đua) and registration (đăng ký thi đua) pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import get_bloc_year_for_user
from blocs.models import BlocYear, Unit, UnitName
from khoithidua.lib.views import apply_validation_error, done

from . import services
from .access import can_lead, can_run, delegate_unit_ids, require_act_for
from .forms import CovenantForm, RegistrationForm, ReviseForm, SignatureForm, TargetForm
from .models import Covenant, CovenantSignature, CovenantTarget, Registration


def _members(bloc_year: BlocYear) -> list[Unit]:
    names = Prefetch("former_names", queryset=UnitName.objects.order_by("valid_until"))
    return list(Unit.objects.members_of(bloc_year).prefetch_related(names).order_by("name"))


def _units_for_user(request: HttpRequest, bloc_year: BlocYear, units: list[Unit]) -> list[Unit]:
    if can_run(request.user, bloc_year):
        return units
    mine = delegate_unit_ids(request.user)
    return [u for u in units if u.pk in mine]


def _queryset(units: list[Unit]):
    return Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")


# --- covenant -------------------------------------------------------------------------------


def _covenant_context(request: HttpRequest, bloc_year: BlocYear, **forms) -> dict:
    covenants = list(
        Covenant.objects.filter(bloc_year=bloc_year)
        .select_related("drafted_by_unit", "created_by")
        .prefetch_related(
            "targets",
            Prefetch("signatures", queryset=CovenantSignature.objects.select_related("unit")),
        )
        .order_by("-version")
    )
    current = next((c for c in covenants if c.status != Covenant.Status.SUPERSEDED), None)
    members = _members(bloc_year)
    lead = can_lead(request.user, bloc_year)
    context = {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "covenant": current,
        "versions": covenants,
        "can_lead": lead,
        "active": "covenant",
        "ref_date": bloc_year.reference_date,
        "has_previous": Covenant.objects.filter(
            bloc_year__bloc=bloc_year.bloc, bloc_year__year__lt=bloc_year.year
        ).exists()
        if current is None
        else False,
    }
    if current is not None:
        signed = {s.unit_id: s for s in current.signatures.all()}
        context["rows"] = [{"unit": u, "signature": signed.get(u.pk)} for u in members]
        context["signed_count"] = sum(1 for u in members if u.pk in signed)
        context["member_count"] = len(members)
        editable = current.is_draft and not signed
        context["editable"] = editable and lead
        if current.is_draft:
            can_sign = [
                u for u in _units_for_user(request, bloc_year, members) if u.pk not in signed
            ]
            if can_sign:
                context["sign_form"] = forms.get("sign_form") or SignatureForm(
                    units=_queryset(can_sign)
                )
        if editable and lead:
            context["target_form"] = forms.get("target_form") or TargetForm()
        if lead and (not current.is_draft or signed):
            context["revise_form"] = forms.get("revise_form") or ReviseForm()
    elif lead:
        context["create_form"] = forms.get("create_form") or CovenantForm(
            initial={
                "title": _("Giao ước thi đua năm %(year)s") % {"year": bloc_year.year},
                "plan_reference": bloc_year.plan_reference,
            }
        )
    context["error"] = forms.get("error")
    return context


def _covenant_page(request, bloc_year, status=200, **forms) -> HttpResponse:
    return render(
        request,
        "awards/covenant_detail.html",
        _covenant_context(request, bloc_year, **forms),
        status=status,
    )


def _covenant_url(bloc_year: BlocYear) -> str:
    return reverse("awards:covenant", args=[bloc_year.pk])


def _require_lead(request, bloc_year) -> None:
    if not can_lead(request.user, bloc_year):
        raise PermissionDenied(
            _("Chỉ Khối trưởng, thư ký khối hoặc cán bộ Ban TĐKT được soạn giao ước.")
        )


def _covenant_for(request, covenant_pk: int) -> tuple[BlocYear, Covenant]:
    covenant = get_object_or_404(Covenant.objects.select_related("bloc_year"), pk=covenant_pk)
    bloc_year = get_bloc_year_for_user(request.user, covenant.bloc_year_id)
    return bloc_year, covenant


@login_required
def covenant(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    return _covenant_page(request, bloc_year)


@login_required
@require_POST
def covenant_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    _require_lead(request, bloc_year)
    if request.POST.get("copy") == "1":
        try:
            services.covenant_copy_previous(bloc_year=bloc_year, actor=request.user)
        except ValidationError as exc:
            return _covenant_page(request, bloc_year, status=422, error=" ".join(exc.messages))
        return done(request, _covenant_url(bloc_year), _("Đã sao chép giao ước năm trước."))
    form = CovenantForm(request.POST)
    if form.is_valid():
        try:
            services.covenant_create(bloc_year=bloc_year, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, _covenant_url(bloc_year), _("Đã tạo dự thảo giao ước."))
    return _covenant_page(request, bloc_year, status=422, create_form=form)


@login_required
def covenant_edit(request: HttpRequest, covenant_pk: int) -> HttpResponse:
    bloc_year, cov = _covenant_for(request, covenant_pk)
    _require_lead(request, bloc_year)
    form = CovenantForm(
        request.POST or None,
        initial={"title": cov.title, "plan_reference": cov.plan_reference, "content": cov.content},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.covenant_update(covenant=cov, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, _covenant_url(bloc_year), _("Đã lưu dự thảo giao ước."))
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Sửa dự thảo giao ước năm %(year)s") % {"year": bloc_year.year},
            "action": reverse("awards:covenant_edit", args=[cov.pk]),
            "cancel": _covenant_url(bloc_year),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def covenant_target_add(request: HttpRequest, covenant_pk: int) -> HttpResponse:
    bloc_year, cov = _covenant_for(request, covenant_pk)
    _require_lead(request, bloc_year)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.covenant_target_add(covenant=cov, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, _covenant_url(bloc_year) + "#targets", _("Đã thêm chỉ tiêu."))
    return _covenant_page(request, bloc_year, status=422, target_form=form)


@login_required
@require_POST
def covenant_target_remove(request: HttpRequest, covenant_pk: int, target_pk: int) -> HttpResponse:
    bloc_year, cov = _covenant_for(request, covenant_pk)
    _require_lead(request, bloc_year)
    target = get_object_or_404(CovenantTarget, pk=target_pk, covenant=cov)
    try:
        services.covenant_target_remove(target=target, actor=request.user)
    except ValidationError as exc:
        return _covenant_page(request, bloc_year, status=422, error=" ".join(exc.messages))
    return done(request, _covenant_url(bloc_year) + "#targets", _("Đã bỏ chỉ tiêu."))


@login_required
@require_POST
def covenant_sign(request: HttpRequest, covenant_pk: int) -> HttpResponse:
    bloc_year, cov = _covenant_for(request, covenant_pk)
    units = _units_for_user(request, bloc_year, _members(bloc_year))
    if not units:
        raise PermissionDenied(_("Bạn không ký thay được đơn vị nào của khối."))
    form = SignatureForm(request.POST, units=_queryset(units))
    if form.is_valid():
        require_act_for(request.user, bloc_year, form.cleaned_data["unit"].pk)
        try:
            services.covenant_sign(covenant=cov, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            cov.refresh_from_db()
            message = _("Đã ghi chữ ký.") + (
                " " + _("Đủ các đơn vị đã ký: giao ước đã khóa.") if not cov.is_draft else ""
            )
            return done(request, _covenant_url(bloc_year) + "#signatures", message)
    return _covenant_page(request, bloc_year, status=422, sign_form=form)


@login_required
@require_POST
def covenant_revise(request: HttpRequest, covenant_pk: int) -> HttpResponse:
    bloc_year, cov = _covenant_for(request, covenant_pk)
    _require_lead(request, bloc_year)
    form = ReviseForm(request.POST)
    if form.is_valid():
        try:
            services.covenant_revise(covenant=cov, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                _covenant_url(bloc_year),
                _("Đã tạo phiên bản mới của giao ước; các đơn vị cần ký lại."),
            )
    return _covenant_page(request, bloc_year, status=422, revise_form=form)


# --- registration ---------------------------------------------------------------------------


@login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    members = _members(bloc_year)
    regs = {
        r.unit_id: r
        for r in Registration.objects.filter(bloc_year=bloc_year)
        .prefetch_related("titles")
        .select_related("recorded_by")
    }
    mine = _units_for_user(request, bloc_year, members)
    form = None
    if mine:
        wanted = request.POST.get("unit") or request.GET.get("unit")
        chosen = next((u for u in mine if str(u.pk) == wanted), None) or (
            mine[0] if len(mine) == 1 else None
        )
        initial = {}
        if chosen is not None:
            initial["unit"] = chosen.pk
            existing = regs.get(chosen.pk)
            if existing is not None:
                initial.update(
                    titles=[t.pk for t in existing.titles.all()],
                    commitments=existing.commitments,
                    registered_on=existing.registered_on,
                )
        form = RegistrationForm(
            request.POST or None, bloc_year=bloc_year, units=_queryset(mine), initial=initial
        )
        if request.method == "POST" and form.is_valid():
            require_act_for(request.user, bloc_year, form.cleaned_data["unit"].pk)
            try:
                services.registration_save(
                    bloc_year=bloc_year, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return done(
                    request,
                    reverse("awards:registrations", args=[bloc_year.pk]),
                    _("Đã lưu đăng ký thi đua."),
                )
    elif request.method == "POST":
        raise PermissionDenied(_("Bạn không đăng ký thay được đơn vị nào của khối."))
    rows = [{"unit": u, "registration": regs.get(u.pk)} for u in members]
    return render(
        request,
        "awards/registrations.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "rows": rows,
            "form": form,
            "missing": [r["unit"] for r in rows if r["registration"] is None],
            "can_run": can_run(request.user, bloc_year),
            "ref_date": bloc_year.reference_date,
            "active": "registrations",
        },
        status=422 if form is not None and form.is_bound else 200,
    )
