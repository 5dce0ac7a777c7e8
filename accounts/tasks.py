"""Background work of the accounts app: the invitation mail (Django's SMTP backend)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from khoithidua.mail import Message

from .models import Invitation

logger = logging.getLogger(__name__)


def invitation_url(invitation: Invitation, base_url: str) -> str:
    path = reverse("accounts:invitation", args=[invitation.pk, invitation.token])
    return base_url.rstrip("/") + path


@task
def invitation_send(invitation_id: int, base_url: str) -> str:
    """Mail the one-time link. Records sent_at, or the SMTP error for the office to see."""
    invitation = (
        Invitation.objects.select_related("user", "created_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_open:
        return "skipped"
    user = invitation.user
    with translation.override(settings.LANGUAGE_CODE):
        from .services import full_name_of, role_label

        roles = [
            role_label(a)
            for a in user.role_assignments.select_related("bloc", "unit").order_by("role", "id")
        ]
        context = {
            "name": full_name_of(user),
            "username": user.username,
            "roles": roles,
            "inviter": full_name_of(invitation.created_by) if invitation.created_by else "",
            "url": invitation_url(invitation, base_url),
            "expires": timezone.localtime(invitation.expires_at),
            "site_url": base_url,
        }
        subject = _("Thư mời sử dụng phần mềm quản lý khối thi đua")
        body = render_to_string("accounts/email/invitation.txt", context)
    message = Message(subject=subject, body=body, to=[invitation.email])
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - SMTP, DNS, TLS ...: shown to the office, retried by hand
        logger.warning("invitation %s: mail not sent: %s", invitation.pk, exc)
        Invitation.objects.filter(pk=invitation.pk).update(
            send_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return "failed"
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now(), send_error="")
    return "sent"
