"""Notification list, the Giấy mời mailing page of a meeting, a bloc's reminder rule."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import can_manage_bloc, can_run_bloc, get_bloc_for_user
from khoithidua.lib.views import done
from meetings.views import get_meeting_for_user

from . import services
from .forms import GuestEmailsForm, ReminderRuleForm
from .models import InvitationMailing, InvitationRecipient, Notification, ReminderRule, ReminderSent


def _base_url(request: HttpRequest) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/")


# --- the user's notifications ---------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "notices/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_read(user=request.user)
    return done(
        request,
        reverse("notices:notification_list"),
        _("Đã đánh dấu %(n)s thông báo là đã xem.") % {"n": n} if n else None,
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    item = Notification.objects.filter(user=request.user, pk=pk).first()
    if item is None:
        raise Http404(_("Không tìm thấy thông báo."))
    if request.method == "POST" or item.read_at is None:
        services.notifications_mark_read(user=request.user, pk=item.pk)
    target = item.url or reverse("notices:notification_list")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notices:notification_list")
    return redirect(target)


# --- the Giấy mời of a meeting --------------------------------------------------------------


@login_required
def meeting_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, run=True)
    guests = list(meeting.guests.select_related("contact"))
    form = GuestEmailsForm(
        request.POST if request.POST.get("action") == "guests" else None, guests=guests
    )
    url = reverse("notices:meeting_invitations", args=[meeting.pk])
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "guests":
            if form.is_valid():
                n = services.guest_emails_save(
                    meeting=meeting, emails=form.emails(), actor=request.user
                )
                return done(request, url, _("Đã lưu email của %(n)s khách mời.") % {"n": n})
            status = 422
        elif action == "send":
            try:
                mailing = services.invitation_mailing_create(
                    meeting=meeting, actor=request.user, base_url=_base_url(request)
                )
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
                return done(request, url)
            return done(
                request,
                url + "#mailings",
                _("Đã xếp hàng gửi Giấy mời tới %(n)s người nhận.")
                % {"n": mailing.recipients.count()},
            )
        else:
            raise Http404()
    listing = services.invitation_recipients(meeting)
    mailings = list(
        InvitationMailing.objects.filter(meeting=meeting)
        .select_related("document", "sent_by", "job")
        .annotate(
            sent=Count("recipients", filter=Q(recipients__sent_at__isnull=False)),
            failed=Count("recipients", filter=~Q(recipients__error="")),
            total=Count("recipients"),
        )
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=InvitationRecipient.objects.select_related("unit").order_by(
                    "is_guest", "name", "id"
                ),
            )
        )[:10]
    )
    return render(
        request,
        "notices/meeting_invitations.html",
        {
            "meeting": meeting,
            "bloc_year": meeting.bloc_year,
            "bloc": meeting.bloc_year.bloc,
            "document": services.current_invitation(meeting),
            "listing": listing,
            "guest_form": form,
            "mailings": mailings,
        },
        status=status,
    )


# --- a bloc's reminder rule -----------------------------------------------------------------


@login_required
def bloc_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = get_bloc_for_user(request.user, pk)
    if not can_run_bloc(request.user, bloc):
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối xem được nhắc hạn.")
        )
    rule = ReminderRule.objects.filter(bloc=bloc).first() or ReminderRule(bloc=bloc)
    form = ReminderRuleForm(request.POST or None, instance=rule)
    url = reverse("notices:bloc_reminders", args=[bloc.pk])
    if request.method == "POST":
        get_bloc_for_user(request.user, pk, manage=True)
        if form.is_valid():
            services.reminder_rule_save(
                bloc=bloc,
                days_before=form.cleaned_data["days_before"],
                enabled=form.cleaned_data["enabled"],
                actor=request.user,
            )
            return done(request, url, _("Đã lưu quy định nhắc hạn."))
    today = timezone.localdate()
    enabled, days_before = services.rule_for(bloc)
    bloc_year = bloc.years.filter(year=today.year).first()
    upcoming = (
        services.due_for_year(bloc_year, today=today, days_before=days_before)
        if bloc_year and enabled
        else []
    )
    sent = list(
        ReminderSent.objects.filter(bloc_year__bloc=bloc)
        .select_related("unit", "bloc_year")
        .order_by("-sent_at", "-id")[:50]
    )
    sent_keys = {(s.bloc_year_id, s.deadline_kind, s.due_on, s.unit_id) for s in sent}
    for d in upcoming:
        d.already = (d.bloc_year.pk, d.kind, d.due_on, d.unit.pk) in sent_keys
    return render(
        request,
        "notices/bloc_reminders.html",
        {
            "bloc": bloc,
            "form": form,
            "can_manage": can_manage_bloc(request.user, bloc),
            "upcoming": upcoming,
            "sent": sent,
            "today": today,
        },
        status=422 if form.is_bound and form.errors else 200,
    )
