"""Background jobs of the notices app (run by the worker; see jobs.services)."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs import names
from jobs.services import job_function
from khoithidua.mail import Message

from .models import InvitationMailing


def _ascii_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "giay-moi"


@job_function
def send_invitation_mailing(job, *, mailing_id: int, base_url: str = "") -> None:
    """Mail the Giấy mời (PDF) and the meeting's calendar entry (.ics) to each recipient."""
    from .services import ics_for

    mailing = InvitationMailing.objects.select_related(
        "meeting__bloc_year__bloc__organizer", "meeting__host_unit", "document"
    ).get(pk=mailing_id)
    meeting, document = mailing.meeting, mailing.document
    earlier = InvitationMailing.objects.filter(
        meeting=meeting, created_at__lt=mailing.created_at
    ).count()
    pdf = document.pdf_bytes
    ics = ics_for(meeting, base_url=base_url, sequence=earlier)
    pdf_name = _ascii_filename(f"giay-moi-{document.number_label}") + ".pdf"
    on = timezone.localtime(meeting.starts_at)
    bloc_name = names.name_on(meeting.bloc_year.bloc, on.date())
    recipients = list(mailing.recipients.filter(sent_at__isnull=True).order_by("id"))
    total = len(recipients)
    connection = mail.mailers.default
    errors = []
    subject = _("Giấy mời: %(t)s") % {"t": meeting.title}
    for i, r in enumerate(recipients, start=1):
        body = render_to_string(
            "notices/email/invitation.txt",
            {
                "recipient": r,
                "meeting": meeting,
                "bloc": bloc_name,
                "on": on,
                "host": names.name_on(meeting.host_unit, on.date()) if meeting.host_unit else "",
                "number": document.number_label,
                "url": (
                    base_url.rstrip("/") + reverse("meetings:meeting_detail", args=[meeting.pk])
                )
                if base_url and not r.is_guest
                else "",
            },
        )
        message = Message(subject=subject, body=body, to=[r.email])
        message.attach(pdf_name, pdf, "application/pdf")
        message.attach("hoi-nghi.ics", ics, "text/calendar")
        try:
            connection.send_messages([message])
        except Exception as exc:  # noqa: BLE001 - one bad address must not stop the others
            r.error = f"{type(exc).__name__}: {exc}"[:500]
            r.save(update_fields=["error"])
            errors.append(
                _("%(name)s <%(email)s>: %(error)s")
                % {"name": r.name, "email": r.email, "error": r.error}
            )
        else:
            r.sent_at, r.error = timezone.now(), ""
            r.save(update_fields=["sent_at", "error"])
        job.report(
            done=i, total=total, message=_("Đang gửi thư %(i)s/%(n)s…") % {"i": i, "n": total}
        )
    sent = total - len(errors)
    job.message = (
        _("Đã gửi Giấy mời tới %(sent)s/%(n)s người nhận.") % {"sent": sent, "n": total}
        if not errors
        else _("Đã gửi Giấy mời tới %(sent)s/%(n)s người nhận; %(bad)s thư không gửi được.")
        % {"sent": sent, "n": total, "bad": len(errors)}
    )
    job.result = {"sent": sent, "errors": errors}
    job.result_url = reverse("notices:meeting_invitations", args=[meeting.pk])


@job_function
def deadline_reminders(job, *, today: str = "", base_url: str = "") -> None:
    """Remind late units of deadlines N days ahead (per bloc); each reminder goes out once."""
    from .services import reminders_send

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    counts = reminders_send(
        today=day,
        base_url=base_url,
        report=lambda done, total: job.report(done=done, total=total),
    )
    job.result = counts
    job.message = _(
        "Ngày %(d)s: %(due)s lượt nhắc đến hạn; đã gửi %(sent)s, đã gửi từ trước %(skipped)s, "
        "lỗi %(failed)s, đơn vị chưa có tài khoản đại biểu %(none)s."
    ) % {
        "d": f"{day:%d/%m/%Y}",
        "due": counts["due"],
        "sent": counts["sent"],
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "none": counts["no_recipient"],
    }
