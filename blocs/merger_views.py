"""Organizers and their mergers: the list, recording a merger, reviewing and confirming it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khoithidua.lib.views import apply_validation_error, done, form_page

from . import merger as m
from .access import can_manage_organizer, managed_organizers, require_office
from .forms import MergerReviewForm, OrganizerMergeForm
from .models import Organizer, OrganizerMerger


def _get_organizer_for_user(request: HttpRequest, pk: int) -> Organizer:
    organizer = managed_organizers(request.user).filter(pk=pk).select_related("merged_into").first()
    if organizer is None:
        raise Http404(_("Không tìm thấy cơ quan tổ chức."))
    return organizer


def _get_merger_for_user(request: HttpRequest, pk: int) -> OrganizerMerger:
    """Visible to whoever manages the merged province; changed only by who manages both."""
    merger = OrganizerMerger.objects.select_related("source", "target").filter(pk=pk).first()
    if merger is None or not can_manage_organizer(request.user, merger.source_id):
        raise Http404(_("Không tìm thấy việc hợp nhất."))
    return merger


def _can_change(request: HttpRequest, merger: OrganizerMerger) -> bool:
    return can_manage_organizer(request.user, merger.source_id) and can_manage_organizer(
        request.user, merger.target_id
    )


@login_required
def organizer_list(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = list(
        managed_organizers(request.user)
        .select_related("merged_into", "merger__target")  # the pending list names the target
        .annotate(
            unit_count=Count("units", filter=Q(units__archived_at__isnull=True), distinct=True),
            bloc_count=Count("blocs", distinct=True),
        )
        .order_by("province", "name")
    )
    pending = [o.merger for o in organizers if hasattr(o, "merger") and not o.merger.is_confirmed]
    return render(
        request,
        "blocs/organizer_list.html",
        {
            "organizers": organizers,
            "pending": pending,
            "active": [o for o in organizers if o.merged_into_id is None],
            "merged": [o for o in organizers if o.merged_into_id is not None],
        },
    )


@login_required
def organizer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_organizer_for_user(request, pk)
    targets = managed_organizers(request.user)
    form = OrganizerMergeForm(request.POST or None, source=source, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            merger = m.merger_record(source=source, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return done(
                request,
                reverse("blocs:merger_review", args=[merger.pk]),
                _("Đã ghi nhận việc hợp nhất. Hãy duyệt đề xuất nối đơn vị và khối."),
            )
    return form_page(
        request,
        {
            "form": form,
            "title": _("Hợp nhất %(name)s") % {"name": source.name},
            "intro": _(
                "Từ ngày hợp nhất, tỉnh này không còn nhận năm thi đua, tệp nhập hay văn bản mới. "
                "Bước sau đề xuất đơn vị và khối kế tục để anh/chị xác nhận; không dữ liệu nào bị xoá."
            ),
            "action": reverse("blocs:organizer_merge", args=[source.pk]),
            "cancel": reverse("blocs:organizer_list"),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
def merger_review(request: HttpRequest, pk: int) -> HttpResponse:
    merger = _get_merger_for_user(request, pk)
    can_change = _can_change(request, merger)
    proposal = m.merger_proposal(merger=merger)
    form = None
    if not merger.is_confirmed and can_change:
        form = MergerReviewForm(request.POST or None, proposal=proposal)
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(
                _("Chỉ cán bộ quản lý cả hai tỉnh được xác nhận việc hợp nhất.")
                if not merger.is_confirmed
                else _("Việc hợp nhất này đã được xác nhận trước đó.")
            )
        status = 422
        if form.is_valid():
            try:
                m.merger_confirm(
                    merger=merger,
                    units=form.unit_choices,
                    blocs=form.bloc_choices,
                    roles=form.role_choices,
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return done(
                    request,
                    reverse("blocs:merger_review", args=[merger.pk]),
                    _("Đã xác nhận việc hợp nhất; lịch sử được nối từ ngày %(date)s.")
                    % {"date": merger.effective_date.strftime("%d/%m/%Y")},
                )
    return render(
        request,
        "blocs/merger_review.html",
        {
            "merger": merger,
            "proposal": proposal,
            "form": form,
            "can_change": can_change,
        },
        status=status,
    )


@login_required
@require_POST
def merger_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    merger = _get_merger_for_user(request, pk)
    if not _can_change(request, merger):
        raise PermissionDenied(_("Chỉ cán bộ quản lý cả hai tỉnh được huỷ việc hợp nhất."))
    try:
        m.merger_cancel(merger=merger, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("blocs:merger_review", merger.pk)
    return done(request, reverse("blocs:organizer_list"), _("Đã huỷ ghi nhận hợp nhất."))
