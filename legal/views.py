"""Pages: the legal texts documents cite (office staff), and who signs for a bloc-year."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import (
    can_manage_organizer,
    can_run_bloc,
    get_bloc_year_for_user,
    managed_organizers,
    require_office,
    require_run_bloc,
)
from blocs.models import Unit, year_reference_date
from khoithidua.lib.views import apply_validation_error, done, form_page

from . import services
from .access import can_manage_national_texts, can_manage_text_scope, require_text_scope
from .forms import BlocSignerForm, LegalTextForm, UnitHeadForm
from .models import BlocSigner, LegalText, UnitHead
from .people import bloc_signer_on, heads_on

NATIONAL = "national"


def _scopes(user) -> list[tuple[str, str]]:
    scopes = []
    if can_manage_national_texts(user):
        scopes.append((NATIONAL, _("Toàn quốc")))
    scopes += [(str(o.pk), o.name) for o in managed_organizers(user).order_by("name")]
    return scopes


def _visible_texts(user):
    roles = require_office(user)
    qs = LegalText.objects.select_related("organizer", "replaces")
    if roles.superuser:
        return qs
    return qs.filter(Q(organizer__isnull=True) | Q(organizer_id__in=roles.organizer_ids))


@login_required
def text_list(request: HttpRequest) -> HttpResponse:
    texts = list(
        _visible_texts(request.user).order_by("organizer_id", "position", "effective_from")
    )
    today = timezone.localdate()
    return render(
        request,
        "legal/text_list.html",
        {
            "rows": [
                (t, t.in_force_on(today), can_manage_text_scope(request.user, t.organizer_id))
                for t in texts
            ],
            "can_add": bool(_scopes(request.user)),
        },
    )


def _text_form_page(request, form, *, title, action, status=200):
    return form_page(
        request,
        {
            "title": title,
            "intro": _(
                "Mỗi văn bản được trích dẫn («Căn cứ …») trong các văn bản có ngày nằm trong thời "
                "gian hiệu lực của nó. Hãy đối chiếu số, ngày ban hành và ngày có hiệu lực với văn "
                "bản gốc và ghi nguồn đã đối chiếu."
            ),
            "form": form,
            "action": action,
            "cancel": reverse("legal:text_list"),
        },
        status=status,
    )


@login_required
def text_add(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    scopes = _scopes(request.user)
    if not scopes:
        raise PermissionDenied(_("Bạn không có quyền thêm văn bản căn cứ."))
    replaceable = _visible_texts(request.user).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=timezone.localdate())
    )
    form = LegalTextForm(request.POST or None, scopes=scopes, replaceable=replaceable)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        organizer_id = None if scope == NATIONAL else int(scope)
        require_text_scope(request.user, organizer_id)
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("scope", "replaces")}
        try:
            services.legal_text_add(
                actor=request.user,
                replaces=form.cleaned_data["replaces"],
                organizer_id=organizer_id,
                **fields,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, reverse("legal:text_list"), _("Đã thêm văn bản căn cứ."))
    status = 400 if request.method == "POST" else 200
    return _text_form_page(
        request,
        form,
        title=_("Thêm văn bản căn cứ"),
        action=reverse("legal:text_add"),
        status=status,
    )


@login_required
def text_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        text = _visible_texts(request.user).get(pk=pk)
    except (LegalText.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy văn bản.")) from None
    require_text_scope(request.user, text.organizer_id)
    form = LegalTextForm(
        request.POST or None, instance=text, scopes=[], replaceable=None, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_text_update(text=text, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, reverse("legal:text_list"), _("Đã lưu văn bản căn cứ."))
    return _text_form_page(
        request,
        form,
        title=_("Sửa văn bản %(number)s") % {"number": text.number},
        action=reverse("legal:text_edit", args=[text.pk]),
        status=400 if request.method == "POST" else 200,
    )


# --- who signs for a bloc-year -----------------------------------------------------------------


def _signers_context(request, bloc_year, *, head_form=None, signer_form=None) -> dict:
    day = year_reference_date(bloc_year.year)
    units = [
        m.unit
        for m in bloc_year.memberships.select_related("unit__organizer")
        .prefetch_related("unit__former_names")
        .order_by("unit__name")
    ]
    heads = heads_on(units, day)
    may_manage_units = can_manage_organizer(request.user, bloc_year.bloc.organizer_id)
    may_run = can_run_bloc(request.user, bloc_year.bloc)
    records = (
        UnitHead.objects.filter(unit__in=units)
        .select_related("unit")
        .order_by("unit__name", "valid_from")
    )
    return {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "day": day,
        "leader": bloc_signer_on(bloc_year, "leader", day),
        "deputy": bloc_signer_on(bloc_year, "deputy", day),
        "signers": bloc_year.signers.select_related("unit").order_by("role", "valid_from"),
        "unit_rows": [(u, u.name_on(day), heads[u.pk]) for u in units],
        "records": records,
        "may_manage_units": may_manage_units,
        "may_run": may_run,
        "head_form": head_form
        or (
            UnitHeadForm(units=Unit.objects.filter(pk__in=[u.pk for u in units]))
            if may_manage_units
            else None
        ),
        "signer_form": signer_form or (BlocSignerForm() if may_run else None),
    }


@login_required
def bloc_year_signers(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    return render(request, "legal/bloc_year_signers.html", _signers_context(request, bloc_year))


@login_required
@require_POST
def unit_head_add(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    if not can_manage_organizer(request.user, bloc_year.bloc.organizer_id):
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng được ghi thủ trưởng đơn vị.")
        )
    members = Unit.objects.members_of(bloc_year)
    form = UnitHeadForm(request.POST, units=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_head_add(
                unit=data["unit"],
                title=data["title"],
                full_name=data["full_name"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                source=data["source"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("legal:bloc_year_signers", args=[bloc_year.pk]),
                _("Đã ghi thủ trưởng đơn vị."),
            )
    context = _signers_context(request, bloc_year, head_form=form)
    return render(request, "legal/bloc_year_signers.html", context, status=400)


@login_required
@require_POST
def bloc_signer_add(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    form = BlocSignerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.bloc_signer_add(bloc_year=bloc_year, actor=request.user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("legal:bloc_year_signers", args=[bloc_year.pk]),
                _("Đã ghi người ký thay mặt khối."),
            )
    context = _signers_context(request, bloc_year, signer_form=form)
    return render(request, "legal/bloc_year_signers.html", context, status=400)


@login_required
@require_POST
def record_remove(request: HttpRequest, pk: int, kind: str, record: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    if kind == "head":
        if not can_manage_organizer(request.user, bloc_year.bloc.organizer_id):
            raise PermissionDenied(
                _("Chỉ cán bộ Ban Thi đua – Khen thưởng được sửa thủ trưởng đơn vị.")
            )
        try:
            head = UnitHead.objects.select_related("unit").get(
                pk=record, unit__memberships__bloc_year=bloc_year
            )
        except UnitHead.DoesNotExist:
            raise Http404(_("Không tìm thấy bản ghi.")) from None
        services.unit_head_remove(head=head, actor=request.user)
    elif kind == "signer":
        require_run_bloc(request.user, bloc_year.bloc)
        try:
            signer = BlocSigner.objects.get(pk=record, bloc_year=bloc_year)
        except BlocSigner.DoesNotExist:
            raise Http404(_("Không tìm thấy bản ghi.")) from None
        services.bloc_signer_remove(signer=signer, actor=request.user)
    else:
        raise Http404(_("Không tìm thấy bản ghi."))
    return done(
        request, reverse("legal:bloc_year_signers", args=[bloc_year.pk]), _("Đã xóa bản ghi.")
    )
