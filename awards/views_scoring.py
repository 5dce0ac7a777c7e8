"""Scoring pages: the criteria table, score sheets (self, review, cross, explanation), ranking."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import get_bloc_year_for_user
from blocs.models import BlocYear, UnitName
from khoithidua.lib.views import apply_validation_error, done

from . import services
from .access import (
    can_act_for,
    can_run,
    delegate_unit_ids,
    require_run,
    require_sheet_mode,
    sheet_modes,
)
from .forms import CriterionForm, SchemeForm, SheetForm
from .models import Criterion, CrossScore, Score, ScoreSheet, ScoringScheme
from .ranking import compute_ranking


def _scoring_url(bloc_year: BlocYear) -> str:
    return reverse("awards:scoring", args=[bloc_year.pk])


def _tree(scheme: ScoringScheme) -> list[dict]:
    criteria = list(scheme.criteria.order_by("position", "id"))
    groups = [c for c in criteria if c.kind == Criterion.Kind.GROUP]
    return [{"group": g, "items": [c for c in criteria if c.parent_id == g.pk]} for g in groups]


@login_required
def scoring(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    run = can_run(request.user, bloc_year)
    scheme = services.scheme_for(bloc_year)
    form = None
    if run and scheme is not None and scheme.phase != ScoringScheme.Phase.LOCKED:
        form = SchemeForm(request.POST or None, instance=scheme)
        if request.method == "POST" and form.is_valid():
            try:
                services.scheme_update(
                    scheme=scheme,
                    actor=request.user,
                    **{k: form.cleaned_data[k] for k in SchemeForm.Meta.fields},
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return done(request, _scoring_url(bloc_year), _("Đã lưu thiết lập chấm điểm."))
    elif request.method == "POST":
        require_run(request.user, bloc_year)
    sheets = []
    if scheme is not None and scheme.phase != ScoringScheme.Phase.DRAFT:
        names = Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))
        sheets = list(
            scheme.sheets.select_related("unit")
            .prefetch_related(names)
            .annotate(cross_count=Count("scores__cross_scores__scorer_unit", distinct=True))
            .order_by("unit__name")
        )
    tree = _tree(scheme) if scheme else []
    return render(
        request,
        "awards/scoring.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "scheme": scheme,
            "tree": tree,
            "form": form,
            "problems": services.scheme_check(scheme) if scheme and scheme.editable else [],
            "sheets": sheets,
            "reviewed_count": sum(1 for s in sheets if s.status == ScoreSheet.Status.REVIEWED),
            "can_run": run,
            "my_units": delegate_unit_ids(request.user),
            "ref_date": bloc_year.reference_date,
            "active": "scoring",
            "has_previous": ScoringScheme.objects.filter(
                bloc_year__bloc=bloc_year.bloc,
                bloc_year__year__lt=bloc_year.year,
                criteria__isnull=False,
            ).exists()
            if run and (scheme is None or not tree)
            else False,
        },
        status=422 if form is not None and form.is_bound else 200,
    )


@login_required
@require_POST
def scoring_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """create / copy / open / lock the bloc-year's scoring; lock-reviewed: every reviewed sheet."""
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    try:
        if action == "create":
            services.scheme_for(bloc_year, create=True)
            message = _("Đã tạo bảng chấm điểm.")
        elif action == "copy":
            services.scheme_copy_previous(bloc_year=bloc_year, actor=request.user)
            message = _("Đã sao chép bảng điểm năm trước.")
        elif action == "open":
            services.scoring_open(bloc_year=bloc_year, actor=request.user)
            message = _("Đã mở chấm điểm: các đơn vị có thể tự chấm.")
        elif action == "lock":
            services.scoring_lock(bloc_year=bloc_year, actor=request.user)
            message = _("Đã khóa kết quả chấm điểm.")
        elif action == "lock-reviewed":
            locked = services.sheets_lock_reviewed(bloc_year=bloc_year, actor=request.user)
            message = _("Đã khóa %(n)d phiếu đã thẩm định.") % {"n": len(locked)}
        else:
            raise PermissionDenied
    except ValidationError as exc:
        return _scoring_error(request, bloc_year, exc)
    return done(request, _scoring_url(bloc_year), message)


def _scoring_error(request, bloc_year, exc: ValidationError) -> HttpResponse:
    scheme = services.scheme_for(bloc_year)
    return render(
        request,
        "awards/scoring.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "scheme": scheme,
            "tree": _tree(scheme) if scheme else [],
            "error": " ".join(exc.messages),
            "can_run": True,
            "sheets": [],
            "active": "scoring",
            "ref_date": bloc_year.reference_date,
            "my_units": set(),
        },
        status=422,
    )


@login_required
def criterion_edit(request: HttpRequest, pk: int, criterion_pk: int | None = None) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    scheme = services.scheme_for(bloc_year, create=True)
    criterion = (
        get_object_or_404(Criterion, pk=criterion_pk, scheme=scheme) if criterion_pk else None
    )
    initial = {}
    if criterion is None and request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
        initial["kind"] = Criterion.Kind.POINTS
    elif criterion is None:
        initial["kind"] = Criterion.Kind.GROUP
    form = CriterionForm(request.POST or None, instance=criterion, scheme=scheme, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.criterion_save(
                scheme=scheme,
                criterion=criterion,
                parent=data["parent"],
                code=data["code"],
                title=data["title"],
                kind=data["kind"],
                max_score=data["max_score"],
                target_value=data["target_value"],
                target_unit=data["target_unit"],
                guidance=data["guidance"],
                position=data["position"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(request, _scoring_url(bloc_year) + "#criteria", _("Đã lưu tiêu chí."))
    title = _("Sửa tiêu chí") if criterion else _("Thêm tiêu chí / nhóm tiêu chí")
    action = (
        reverse("awards:criterion_edit", args=[bloc_year.pk, criterion.pk])
        if criterion
        else reverse("awards:criterion_add", args=[bloc_year.pk])
    )
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"{title} – {bloc_year.bloc.name} {bloc_year.year}",
            "action": action,
            "cancel": _scoring_url(bloc_year),
            "intro": _(
                "Nhóm tiêu chí: để trống «thuộc nhóm». Điểm cộng/điểm trừ: «điểm tối đa» là mức cộng/trừ tối đa."
            ),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk, run=True)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, scheme__bloc_year=bloc_year)
    try:
        services.criterion_delete(criterion=criterion, actor=request.user)
    except ValidationError as exc:
        return _scoring_error(request, bloc_year, exc)
    return done(request, _scoring_url(bloc_year) + "#criteria", _("Đã xoá."))


# --- sheets ---------------------------------------------------------------------------------


def _sheet_for(request, sheet_pk: int) -> tuple[BlocYear, ScoreSheet]:
    sheet = get_object_or_404(ScoreSheet.objects.select_related("scheme", "unit"), pk=sheet_pk)
    bloc_year = get_bloc_year_for_user(request.user, sheet.scheme.bloc_year_id)
    sheet.scheme.bloc_year = bloc_year
    return bloc_year, sheet


def _sheet_context(request, bloc_year, sheet, mode: str | None, form=None, error=None) -> dict:
    scores = list(
        Score.objects.filter(sheet=sheet)
        .select_related("criterion", "criterion__parent")
        .order_by(
            "criterion__parent__position",
            "criterion__parent_id",
            "criterion__position",
            "criterion_id",
        )
    )
    modes = sheet_modes(request.user, bloc_year, sheet)
    if mode not in modes:
        mode = next(iter(modes), None)
    cross_mine = {}
    scorer = modes.get(mode) if mode == "cross" else None
    if scorer is not None:
        cross_mine = {
            x.score_id: x for x in CrossScore.objects.filter(score__sheet=sheet, scorer_unit=scorer)
        }
    if form is None and mode:
        form = SheetForm(scores=scores, mode=mode, cross=cross_mine)
    run = can_run(request.user, bloc_year)
    cross_all = {}
    if sheet.scheme.method == ScoringScheme.Method.CROSS and (
        run or sheet.status != ScoreSheet.Status.SUBMITTED
    ):
        for x in (
            CrossScore.objects.filter(score__sheet=sheet)
            .select_related("scorer_unit")
            .order_by("scorer_unit__name")
        ):
            cross_all.setdefault(x.score_id, []).append(x)
    groups: list[dict] = []
    fields = dict(form.rows()) if form is not None else {}
    for s in scores:
        if not groups or groups[-1]["group"].pk != s.criterion.parent_id:
            groups.append({"group": s.criterion.parent, "rows": []})
        groups[-1]["rows"].append(
            {"score": s, "fields": fields.get(s, []), "cross": cross_all.get(s.pk, [])}
        )
    totals = {
        "self": sum((s.self_value or 0) for s in scores),
        "final": sum((s.final_value or 0) for s in scores),
    }
    return {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "sheet": sheet,
        "scheme": sheet.scheme,
        "groups": groups,
        "form": form,
        "mode": mode,
        "modes": list(modes),
        "scorer": scorer,
        "error": error,
        "totals": totals,
        "can_run": run,
        "can_submit": sheet.status == ScoreSheet.Status.DRAFT
        and can_act_for(request.user, bloc_year, sheet.unit_id),
        "ref_date": bloc_year.reference_date,
        "active": "scoring",
    }


@login_required
def sheet_detail(request: HttpRequest, sheet_pk: int) -> HttpResponse:
    bloc_year, sheet = _sheet_for(request, sheet_pk)
    mode = request.POST.get("mode") or request.GET.get("mode")
    if request.method != "POST":
        return render(
            request, "awards/sheet_detail.html", _sheet_context(request, bloc_year, sheet, mode)
        )
    modes = sheet_modes(request.user, bloc_year, sheet)
    require_sheet_mode(request.user, bloc_year, sheet, mode, modes.get(mode), modes=modes)
    scores = list(Score.objects.filter(sheet=sheet).select_related("criterion"))
    form = SheetForm(request.POST, scores=scores, mode=mode)
    if form.is_valid():
        entries = form.entries()
        try:
            if mode == "self":
                services.sheet_self_assess(sheet=sheet, entries=entries, actor=request.user)
            elif mode == "review":
                services.sheet_review(
                    sheet=sheet, entries=entries, reviewer_unit=modes[mode], actor=request.user
                )
            elif mode == "cross":
                services.cross_score_save(
                    sheet=sheet, scorer_unit=modes[mode], entries=entries, actor=request.user
                )
            else:
                services.sheet_explain(sheet=sheet, entries=entries, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return done(request, reverse("awards:sheet_detail", args=[sheet.pk]), _("Đã lưu."))
    # Rows are matched to the form's fields by Score identity (pk), whatever the order.
    context = _sheet_context(request, bloc_year, sheet, mode, form=form)
    return render(request, "awards/sheet_detail.html", context, status=422)


@login_required
@require_POST
def sheet_action(request: HttpRequest, sheet_pk: int, action: str) -> HttpResponse:
    """submit (the unit), apply-cross / lock (office or secretary)."""
    bloc_year, sheet = _sheet_for(request, sheet_pk)
    saved = False
    try:
        if action == "submit":
            if not can_act_for(request.user, bloc_year, sheet.unit_id):
                raise PermissionDenied
            if request.POST.get("mode") == "self":
                # «Nộp» from the sheet's form: what was typed is saved first, then submitted.
                scores = list(Score.objects.filter(sheet=sheet).select_related("criterion"))
                form = SheetForm(request.POST, scores=scores, mode="self")
                if not form.is_valid():
                    context = _sheet_context(request, bloc_year, sheet, "self", form=form)
                    return render(request, "awards/sheet_detail.html", context, status=422)
                try:
                    services.sheet_self_assess(
                        sheet=sheet, entries=form.entries(), actor=request.user
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                    context = _sheet_context(request, bloc_year, sheet, "self", form=form)
                    return render(request, "awards/sheet_detail.html", context, status=422)
                saved = True
            services.sheet_submit(sheet=sheet, actor=request.user)
            message = _("Đã nộp bảng tự chấm.")
        elif action == "apply-cross":
            require_run(request.user, bloc_year)
            services.cross_scores_apply(sheet=sheet, actor=request.user)
            message = _("Đã tổng hợp điểm chấm chéo.")
        elif action == "lock":
            require_run(request.user, bloc_year)
            services.sheet_lock(sheet=sheet, actor=request.user)
            message = _("Đã khóa phiếu chấm điểm.")
        else:
            raise PermissionDenied
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if saved:
            error = _("Đã lưu điểm vừa nhập, nhưng chưa nộp được: %(why)s") % {"why": error}
        context = _sheet_context(request, bloc_year, sheet, None, error=error)
        return render(request, "awards/sheet_detail.html", context, status=422)
    return done(request, reverse("awards:sheet_detail", args=[sheet.pk]), message)


# --- ranking --------------------------------------------------------------------------------


@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    scheme = services.scheme_for(bloc_year)
    result = (
        compute_ranking(scheme)
        if scheme is not None and scheme.phase != ScoringScheme.Phase.DRAFT
        else None
    )
    return render(
        request,
        "awards/ranking.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc_year.bloc,
            "scheme": scheme,
            "ranking": result,
            "ref_date": bloc_year.reference_date,
            "active": "ranking",
        },
    )
