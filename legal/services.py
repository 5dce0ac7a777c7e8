"""Recording legal texts and signers: keyword-only, atomic, audited, with Vietnamese errors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Unit
from blocs.services import audit

from .formats import short_date
from .models import BlocSigner, LegalText, UnitHead

TEXT_FIELDS = (
    "kind",
    "number",
    "title",
    "issuer",
    "signed_on",
    "effective_from",
    "effective_until",
    "organizer_id",
    "position",
    "source",
    "verified",
)


def _check_replacement(text: LegalText, replaces: LegalText) -> None:
    if replaces.organizer_id != text.organizer_id:
        raise ValidationError({"replaces": _("Chỉ thay thế được văn bản cùng phạm vi áp dụng.")})
    end = text.effective_from - dt.timedelta(days=1)
    if end < replaces.effective_from:
        raise ValidationError(
            {
                "replaces": _(
                    "Văn bản %(old)s có hiệu lực từ %(start)s, sau ngày văn bản mới có hiệu lực."
                )
                % {"old": replaces.number, "start": short_date(replaces.effective_from)}
            }
        )
    if replaces.effective_until is not None and replaces.effective_until < end:
        raise ValidationError(
            {
                "replaces": _("Văn bản %(old)s đã hết hiệu lực từ trước (%(end)s).")
                % {"old": replaces.number, "end": short_date(replaces.effective_until)}
            }
        )


@transaction.atomic
def legal_text_add(*, actor=None, replaces: LegalText | None = None, **fields) -> LegalText:
    """Add a text. With `replaces`, the replaced text ends the day before this one takes
    effect (its own record is kept: earlier documents still cite it)."""
    text = LegalText(**{k: v for k, v in fields.items() if k in TEXT_FIELDS}, created_by=None)
    if getattr(actor, "is_authenticated", False):
        text.created_by = actor
    text.number = text.number.strip()
    text.full_clean()
    if replaces is not None:
        replaces = LegalText.objects.select_for_update(of=("self",)).get(pk=replaces.pk)
        _check_replacement(text, replaces)
    text.replaces = replaces
    text.save()
    if replaces is not None:
        replaces.effective_until = text.effective_from - dt.timedelta(days=1)
        replaces.save(update_fields=["effective_until"])
    audit(
        actor=actor,
        action="legal.text.add",
        obj=text,
        summary=_("Thêm văn bản căn cứ %(number)s") % {"number": text.number},
        data={"replaces": replaces.pk if replaces else None},
    )
    return text


@transaction.atomic
def legal_text_update(*, text: LegalText, actor=None, **fields) -> LegalText:
    text = LegalText.objects.select_for_update(of=("self",)).get(pk=text.pk)
    before = {name: str(getattr(text, name)) for name in TEXT_FIELDS}
    for name, value in fields.items():
        if name in TEXT_FIELDS and name != "organizer":
            setattr(text, name, value)
    text.number = text.number.strip()
    text.full_clean()
    text.save()
    audit(
        actor=actor,
        action="legal.text.edit",
        obj=text,
        summary=_("Sửa văn bản căn cứ %(number)s") % {"number": text.number},
        data={"before": before},
    )
    return text


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (a_from or lo) <= (b_until or hi) and (b_from or lo) <= (a_until or hi)


@transaction.atomic
def unit_head_add(
    *,
    unit: Unit,
    title: str,
    full_name: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = "",
    actor=None,
) -> UnitHead:
    """Record who heads a unit over a period. Periods of one unit may not overlap."""
    Unit.objects.select_for_update(no_key=True, of=("self",)).get(pk=unit.pk)
    head = UnitHead(
        unit=unit,
        title=title.strip(),
        full_name=full_name.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        source=source.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    head.full_clean()
    for other in UnitHead.objects.filter(unit=unit):
        if _overlaps(valid_from, valid_until, other.valid_from, other.valid_until):
            raise ValidationError(
                _(
                    "Thời gian này trùng với %(title)s %(name)s đã ghi; hãy ghi ngày kết thúc "
                    "cho người trước hoặc sửa thời gian."
                )
                % {"title": other.title, "name": other.full_name or _("(chưa ghi họ tên)")}
            )
    head.save()
    audit(
        actor=actor,
        action="legal.unit_head.add",
        obj=unit,
        summary=_("Ghi thủ trưởng đơn vị: %(title)s %(name)s")
        % {"title": head.title, "name": head.full_name},
    )
    return head


@transaction.atomic
def unit_head_remove(*, head: UnitHead, actor=None) -> None:
    unit = head.unit
    audit(
        actor=actor,
        action="legal.unit_head.remove",
        obj=unit,
        summary=_("Xóa bản ghi thủ trưởng đơn vị: %(title)s %(name)s")
        % {"title": head.title, "name": head.full_name},
    )
    head.delete()


@transaction.atomic
def bloc_signer_add(
    *,
    bloc_year: BlocYear,
    role: str,
    full_name: str,
    title: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = "",
    actor=None,
) -> BlocSigner:
    """Record who signs for the bloc in a year. The unit is that year's leader (deputy)."""
    bloc_year = BlocYear.objects.select_for_update(no_key=True, of=("self",)).get(pk=bloc_year.pk)
    term = bloc_year.terms.filter(role=role).select_related("unit").first()
    if term is None:
        label = bloc_year.bloc.leader_label if role == "leader" else bloc_year.bloc.deputy_label
        raise ValidationError(
            _("Năm %(year)s chưa có %(role)s; hãy ghi đơn vị %(role)s trước.")
            % {"year": bloc_year.year, "role": label}
        )
    for day, field in ((valid_from, "valid_from"), (valid_until, "valid_until")):
        if day is not None and day.year not in (bloc_year.year, bloc_year.year + 1):
            raise ValidationError(
                {
                    field: _("Ngày phải thuộc năm %(year)s (hoặc đầu năm sau).")
                    % {"year": bloc_year.year}
                }
            )
    signer = BlocSigner(
        bloc_year=bloc_year,
        role=role,
        unit=term.unit,
        full_name=full_name.strip(),
        title=title.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        source=source.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    signer.full_clean()
    for other in BlocSigner.objects.filter(bloc_year=bloc_year, role=role):
        if _overlaps(valid_from, valid_until, other.valid_from, other.valid_until):
            raise ValidationError(
                _("Thời gian này trùng với người ký đã ghi: %(name)s.") % {"name": other.full_name}
            )
    signer.save()
    audit(
        actor=actor,
        action="legal.bloc_signer.add",
        obj=bloc_year,
        summary=_("Ghi người ký thay mặt khối: %(name)s, %(title)s")
        % {"name": signer.full_name, "title": signer.title},
    )
    return signer


@transaction.atomic
def bloc_signer_remove(*, signer: BlocSigner, actor=None) -> None:
    audit(
        actor=actor,
        action="legal.bloc_signer.remove",
        obj=signer.bloc_year,
        summary=_("Xóa người ký thay mặt khối: %(name)s") % {"name": signer.full_name},
    )
    signer.delete()
