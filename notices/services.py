"""Notices: in-app notifications, the Giấy mời mailing of a meeting, deadline reminders.

Mail leaves through the background worker (jobs app); each recipient's outcome is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs import names
from blocs.models import BlocYear, LeadershipTerm, RoleAssignment, Unit
from blocs.services import audit

from .models import (
    DEFAULT_DAYS_BEFORE,
    GuestContact,
    InvitationMailing,
    InvitationRecipient,
    Notification,
    ReminderRule,
    ReminderSent,
)

User = get_user_model()


# --- in-app notifications -------------------------------------------------------------------


def notify(*, users, kind: str, title: str, body: str = "", url: str = "") -> int:
    rows = [
        Notification(user=u, kind=kind, title=title[:255], body=body, url=url)
        for u in {u.pk: u for u in users}.values()
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, pk: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())


# --- who hears for a unit -------------------------------------------------------------------


def delegates_of(unit_ids) -> dict[int, list]:
    """Active delegate accounts per unit id."""
    result: dict[int, list] = {}
    for a in RoleAssignment.objects.filter(
        role=RoleAssignment.Role.DELEGATE, unit_id__in=list(unit_ids), user__is_active=True
    ).select_related("user"):
        result.setdefault(a.unit_id, []).append(a.user)
    return result


# --- the Giấy mời ---------------------------------------------------------------------------


def current_invitation(meeting):
    """The meeting's latest finalized Giấy mời (documents app), or None."""
    from documents.models import Kind
    from documents.services import versions_of

    return versions_of(Kind.INVITATION, meeting).last()


@dataclass
class Recipient:
    email: str
    name: str
    unit: Unit | None = None
    user: object | None = None
    guest: object | None = None


@dataclass
class RecipientList:
    recipients: list[Recipient] = field(default_factory=list)
    units_without_email: list[Unit] = field(default_factory=list)
    guests_without_email: list = field(default_factory=list)


def invitation_recipients(meeting) -> RecipientList:
    """Member units' delegates (active, with an email) and the guests with an email."""
    on = timezone.localtime(meeting.starts_at).date()
    units = list(
        Unit.objects.members_of(meeting.bloc_year_id, on=on)
        .prefetch_related("former_names")
        .order_by("name")
    )
    by_unit = delegates_of(u.pk for u in units)
    result = RecipientList()
    seen = set()
    for unit in units:
        users = [u for u in by_unit.get(unit.pk, []) if u.email]
        if not users:
            result.units_without_email.append(unit)
        for user in users:
            if user.email.lower() in seen:
                continue
            seen.add(user.email.lower())
            result.recipients.append(
                Recipient(
                    email=user.email,
                    name=f"{user.get_full_name() or user.username} ({names.name_on(unit, on)})",
                    unit=unit,
                    user=user,
                )
            )
    for guest in meeting.guests.select_related("contact").all():
        email = getattr(getattr(guest, "contact", None), "email", "")
        if not email:
            result.guests_without_email.append(guest)
        elif email.lower() not in seen:
            seen.add(email.lower())
            result.recipients.append(Recipient(email=email, name=str(guest), guest=guest))
    return result


@transaction.atomic
def guest_emails_save(*, meeting, emails: dict[int, str], actor=None) -> int:
    """Set (or clear) the email of the meeting's guests, by guest id."""
    changed = 0
    for guest in meeting.guests.select_related("contact"):
        if guest.pk not in emails:
            continue
        email = emails[guest.pk].strip().lower()
        contact = getattr(guest, "contact", None)
        if contact and not email:
            contact.delete()
            changed += 1
        elif contact and contact.email != email:
            contact.email = email
            contact.save(update_fields=["email"])
            changed += 1
        elif not contact and email:
            GuestContact.objects.create(guest=guest, email=email)
            changed += 1
    if changed:
        audit(
            actor=actor,
            action="meeting.guest_emails",
            obj=meeting,
            summary=_("Cập nhật email %(n)s khách mời") % {"n": changed},
        )
    return changed


@transaction.atomic
def invitation_mailing_create(*, meeting, actor, base_url: str = "") -> InvitationMailing:
    """Record a mailing of the current Giấy mời to every recipient and queue the sending job."""
    from jobs.services import job_start

    from .jobs import send_invitation_mailing

    document = current_invitation(meeting)
    if document is None:
        raise ValidationError(
            _("Giấy mời chưa được lập và khóa; hãy khóa Giấy mời ở trang Văn bản trước khi gửi.")
        )
    listing = invitation_recipients(meeting)
    if not listing.recipients:
        raise ValidationError(
            _(
                "Chưa có người nhận: các đơn vị chưa có tài khoản đại biểu có email, khách mời chưa có email."
            )
        )
    mailing = InvitationMailing.objects.create(meeting=meeting, document=document, sent_by=actor)
    InvitationRecipient.objects.bulk_create(
        InvitationRecipient(
            mailing=mailing,
            email=r.email,
            name=r.name[:255],
            unit=r.unit,
            user=r.user,
            is_guest=r.guest is not None,
        )
        for r in listing.recipients
    )
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    on = timezone.localtime(meeting.starts_at)
    notify(
        users=[r.user for r in listing.recipients if r.user is not None],
        kind=Notification.Kind.INVITATION,
        title=_("Giấy mời: %(t)s") % {"t": meeting.title},
        body=_("%(time)s, ngày %(date)s tại %(place)s.")
        % {"time": f"{on:%H:%M}", "date": f"{on:%d/%m/%Y}", "place": meeting.place or "—"},
        url=url,
    )
    audit(
        actor=actor,
        action="meeting.invitation_send",
        obj=meeting,
        summary=_("Gửi Giấy mời số %(no)s tới %(n)s người nhận")
        % {"no": document.number_label, "n": len(listing.recipients)},
        data={"mailing": mailing.pk, "document": document.pk},
    )
    job = job_start(
        func=send_invitation_mailing,
        title=_("Gửi Giấy mời: %(t)s") % {"t": meeting.title},
        owner=actor,
        kwargs={"mailing_id": mailing.pk, "base_url": base_url or settings.SITE_URL},
        total=len(listing.recipients),
    )
    InvitationMailing.objects.filter(pk=mailing.pk).update(job=job)
    mailing.job = job
    return mailing


def ics_for(meeting, *, base_url: str, sequence: int) -> bytes:
    from .ics import meeting_event

    on = timezone.localtime(meeting.starts_at).date()
    lines = [meeting.get_kind_display()]
    if meeting.host_unit_id:
        lines.append(_("Đơn vị đăng cai: %(u)s") % {"u": names.name_on(meeting.host_unit, on)})
    agenda = [a.title for a in meeting.agenda_items.all()]
    if agenda:
        lines.append(_("Chương trình:"))
        lines += [f"{i}. {t}" for i, t in enumerate(agenda, start=1)]
    host = (base_url or "localhost").split("//")[-1].split("/")[0] or "localhost"
    return meeting_event(
        uid=f"meeting-{meeting.pk}@{host}",
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        description="\n".join(lines),
        url=base_url.rstrip("/") + reverse("meetings:meeting_detail", args=[meeting.pk])
        if base_url
        else "",
        sequence=sequence,
    )


# --- deadline reminders ---------------------------------------------------------------------


@dataclass
class DueReminder:
    bloc_year: BlocYear
    kind: str
    title: str
    due_on: dt.date
    days_left: int
    unit: Unit


def rule_for(bloc) -> tuple[bool, int]:
    rule = getattr(bloc, "reminder_rule", None)
    if rule is None:
        return True, DEFAULT_DAYS_BEFORE
    return rule.enabled, rule.days_before


@transaction.atomic
def reminder_rule_save(*, bloc, days_before: int, enabled: bool, actor=None) -> ReminderRule:
    rule, _created = ReminderRule.objects.update_or_create(
        bloc=bloc, defaults={"days_before": days_before, "enabled": enabled}
    )
    audit(
        actor=actor,
        action="bloc.reminder_rule",
        obj=bloc,
        summary=(
            _("Nhắc hạn trước %(n)s ngày") % {"n": days_before} if enabled else _("Tắt nhắc hạn")
        ),
    )
    return rule


def due_for_year(bloc_year: BlocYear, *, today: dt.date, days_before: int) -> list[DueReminder]:
    """The reminders a bloc-year owes today: late units of deadlines 0..N days ahead."""
    from awards.reports import deadlines_for

    due: list[DueReminder] = []
    for status in deadlines_for(bloc_year, today=today):
        if status.done or not 0 <= status.days_left <= days_before:
            continue
        if status.kind in ("registration", "self_scoring"):
            units = status.pending_units
        elif status.kind == "proposal":
            # The leader unit sends the proposal (tờ trình) to the province.
            term = (
                LeadershipTerm.objects.filter(bloc_year=bloc_year, role="leader")
                .select_related("unit")
                .first()
            )
            units = [term.unit] if term else []
        else:
            units = []
        due += [
            DueReminder(
                bloc_year=bloc_year,
                kind=status.kind,
                title=status.title,
                due_on=status.due_on,
                days_left=status.days_left,
                unit=unit,
            )
            for unit in units
        ]
    return due


def reminders_due(*, today: dt.date) -> list[DueReminder]:
    """Every bloc's reminders due today (blocs with reminders switched off excluded)."""
    window = today + dt.timedelta(days=60)
    years = (
        BlocYear.objects.active()
        .filter(bloc__archived_at__isnull=True)
        .filter(
            Q(deadlines__due_on__range=(today, window), deadlines__done_on__isnull=True)
            | Q(year=today.year)
        )
        .select_related("bloc__organizer", "bloc__reminder_rule")
        .distinct()
        .order_by("pk")
    )
    due: list[DueReminder] = []
    for bloc_year in years:
        enabled, days_before = rule_for(bloc_year.bloc)
        if enabled:
            due += due_for_year(bloc_year, today=today, days_before=days_before)
    return due


def reminders_send(*, today: dt.date, base_url: str = "", report=None) -> dict:
    """Send each due reminder once (the unique constraint on ReminderSent decides)."""
    from django.core import mail
    from django.template.loader import render_to_string

    from khoithidua.mail import Message

    due = reminders_due(today=today)
    delegates = delegates_of({d.unit.pk for d in due})
    counts = {"due": len(due), "sent": 0, "skipped": 0, "failed": 0, "no_recipient": 0}
    connection = mail.mailers.default
    for i, d in enumerate(due, start=1):
        users = delegates.get(d.unit.pk, [])
        emails = sorted({u.email for u in users if u.email})
        try:
            with transaction.atomic():
                sent = ReminderSent.objects.create(
                    bloc_year=d.bloc_year,
                    deadline_kind=d.kind,
                    due_on=d.due_on,
                    unit=d.unit,
                    emails=emails,
                    error="" if users else _("Đơn vị chưa có tài khoản đại biểu."),
                )
        except IntegrityError:
            counts["skipped"] += 1
            continue
        url = reverse("awards:deadlines", args=[d.bloc_year.pk])
        unit_name = names.name_on(d.unit, today)
        context = {
            "unit": unit_name,
            "bloc": names.name_on(d.bloc_year.bloc, today),
            "year": d.bloc_year.year,
            "title": d.title,
            "due_on": d.due_on,
            "days_left": d.days_left,
            "url": (base_url.rstrip("/") + url) if base_url else "",
        }
        subject = _("Nhắc hạn: %(title)s – hạn %(date)s") % {
            "title": d.title,
            "date": f"{d.due_on:%d/%m/%Y}",
        }
        notify(
            users=users,
            kind=Notification.Kind.REMINDER,
            title=subject,
            body=_("%(unit)s chưa hoàn thành «%(title)s» của %(bloc)s năm %(year)s.")
            % {
                "unit": unit_name,
                "title": d.title,
                "bloc": context["bloc"],
                "year": d.bloc_year.year,
            },
            url=url,
        )
        if not emails:
            counts["no_recipient"] += 1
        else:
            body = render_to_string("notices/email/reminder.txt", context)
            try:
                connection.send_messages([Message(subject=subject, body=body, to=emails)])
            except Exception as exc:  # noqa: BLE001 - recorded on the row, shown to the office
                ReminderSent.objects.filter(pk=sent.pk).update(
                    error=f"{type(exc).__name__}: {exc}"[:500]
                )
                counts["failed"] += 1
            else:
                counts["sent"] += 1
        if report:
            report(i, len(due))
    return counts
