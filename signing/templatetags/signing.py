"""The ký số panel on a finalized version's page, and small display filters."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blocs.access import can_run_bloc

from .. import services
from ..forms import ServerSignForm, SignedUploadForm
from ..models import Verdict

register = template.Library()

VERDICT_CSS = {
    Verdict.VALID: "badge-ok",
    Verdict.UNTRUSTED: "badge-warn",
}


@register.inclusion_tag("signing/_version_panel.html", takes_context=True)
def signing_panel(context, version):
    request = context["request"]
    state = services.signing_state(version)
    can_run = can_run_bloc(request.user, version.bloc_year.bloc)
    targets = services.sign_targets(state) if can_run else []
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "version": version,
        "state": state,
        "result": state.result,
        "history": list(version.signed_files.order_by("-seq").defer("report"))
        if state.signed_file
        else [],
        "can_run": can_run,
        "upload_form": SignedUploadForm(),
        "sign_form": ServerSignForm(targets=targets) if targets else None,
    }


@register.filter
def iso_dt(value: str):
    """An ISO 8601 string as an aware datetime in the current time zone (None if empty)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return timezone.localtime(moment)


@register.filter
def verdict_label(value: str) -> str:
    try:
        return Verdict(value).label
    except ValueError:
        return value


@register.filter
def verdict_css(value: str) -> str:
    try:
        return VERDICT_CSS.get(Verdict(value), "badge-red")
    except ValueError:
        return "badge-red"


@register.filter
def revocation_label(signature) -> str:
    if signature.revocation == "revoked":
        if getattr(signature, "revoked_on", ""):
            return _("Đã bị thu hồi (%(when)s)") % {
                "when": date_format(iso_dt(signature.revoked_on), "H:i d/m/Y")
            }
        return _("Đã bị thu hồi")
    if signature.revocation == "revoked_later":
        return _(
            "Bị thu hồi sau thời điểm ký (%(when)s); dấu thời gian chứng minh chữ ký có trước"
        ) % {"when": date_format(iso_dt(signature.revoked_on), "H:i d/m/Y")}
    if signature.revocation == "good":
        return _("Chưa bị thu hồi (theo %(source)s kèm trong tệp)") % {
            "source": signature.revocation_source
        }
    return _("Không kiểm tra được (tệp không kèm CRL/OCSP dùng được)")


@register.filter
def time_source_label(signature) -> str:
    if signature.time_source == "timestamp":
        if signature.timestamp_trusted:
            return _("theo dấu thời gian của máy chủ cấp dấu thời gian")
        return _("theo dấu thời gian (chưa xác thực được máy chủ cấp dấu thời gian)")
    if signature.time_source == "signer":
        return _("do phần mềm ký ghi, không có dấu thời gian")
    return _("không rõ")
