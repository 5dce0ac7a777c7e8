"""What a bloc-year's covenant (bản giao ước thi đua) states, as one typed value the documents
app renders without guessing:

    from awards.covenants import covenant_data
    data = covenant_data(bloc_year)   # CovenantData

The covenant is the year's current version (a superseded one is never printed). Its date is the
day the last member unit signed (else the day it was locked, else the year's reference date).
Every member unit on that day has one signature block: the person who signed for it, else the
unit's head recorded for that day (legal.people), else a block with no person. Names are as of
the covenant's date. A fact the app does not hold is None or "" (never a placeholder);
`missing` lists, in Vietnamese, what a clerk must still record before it can be finalized.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from blocs.models import BlocYear
from khoithidua.lib.i18n import shown_later
from legal.people import heads_on

from .models import Covenant


@dataclass(frozen=True)
class TargetLine:
    text: str
    value: Decimal | None  # the measurable target («95»), else None
    measure_unit: str  # «%», «vụ việc», or ""


@dataclass(frozen=True)
class CovenantSigner:
    unit_id: int
    unit: str  # the unit's name on the covenant's date
    name: str  # the person who signed, else the unit's head of that day, else ""
    title: str
    signed_on: dt.date | None  # None: the unit has not signed yet

    @property
    def signed(self) -> bool:
        return self.signed_on is not None


@dataclass(frozen=True)
class CovenantData:
    bloc_year_id: int
    year: int
    exists: bool  # False: no covenant recorded for the year
    version: int
    title: str
    intro: str  # the covenant's own wording before the targets, else ""
    plan_reference: str  # the covenant's plan, else the year's, else ""
    date: dt.date  # the covenant's date (see the module docstring)
    signed_on: dt.date | None  # the last signature's day, None when nobody signed
    targets: tuple[TargetLine, ...]
    signers: tuple[CovenantSigner, ...]  # one per member unit on `date`, by unit name

    @property
    def missing(self) -> list:
        if not self.exists:
            return [
                shown_later(
                    gettext_noop("Chưa có bản giao ước năm %(year)s (trang Giao ước)."),
                    year=self.year,
                )
            ]
        out = []
        if not self.targets and not self.intro.strip():
            out.append(
                shown_later(
                    gettext_noop(
                        "Bản giao ước chưa có nội dung, chỉ tiêu thi đua (trang Giao ước)."
                    )
                )
            )
        unsigned = [s.unit for s in self.signers if not s.signed]
        if unsigned:
            out.append(
                shown_later(
                    gettext_noop("Các đơn vị chưa ký giao ước: %(units)s."),
                    units="; ".join(unsigned),
                )
            )
        if self.signed_on is None:
            out.append(
                shown_later(gettext_noop("Ngày ký giao ước: chưa đơn vị nào ký (trang Giao ước)."))
            )
        return out


def current_covenant(bloc_year: BlocYear) -> Covenant | None:
    """The year's covenant in force: the highest version not superseded."""
    return (
        Covenant.objects.filter(bloc_year=bloc_year)
        .exclude(status=Covenant.Status.SUPERSEDED)
        .order_by("-version")
        .first()
    )


def covenant_data(bloc_year: BlocYear) -> CovenantData:
    """The covenant's content for `bloc_year` (fixed number of queries, whatever the units)."""
    covenant = current_covenant(bloc_year)
    signatures = {}
    targets: tuple[TargetLine, ...] = ()
    if covenant is not None:
        signatures = {s.unit_id: s for s in covenant.signatures.all()}
        targets = tuple(
            TargetLine(
                t.text,
                t.target_value if t.measurable else None,
                t.measure_unit if t.measurable else "",
            )
            for t in covenant.targets.order_by("position", "pk")
        )
    signed_on = max((s.signed_on for s in signatures.values()), default=None)
    on = signed_on
    if on is None and covenant is not None and covenant.locked_at:
        on = timezone.localtime(covenant.locked_at).date()
    on = on or bloc_year.reference_date
    members = [
        m
        for m in bloc_year.memberships.select_related("unit")
        .prefetch_related("unit__former_names")
        .order_by("unit__name")
        if m.active_on(on)
    ]
    heads = heads_on([m.unit for m in members], on)
    signers = []
    for m in members:
        sig = signatures.get(m.unit_id)
        head = heads.get(m.unit_id)
        if sig is not None:
            name, title = sig.representative_name.strip(), sig.representative_position.strip()
        elif head is not None:
            name, title = head.name, head.title
        else:
            name, title = "", ""
        signers.append(
            CovenantSigner(
                unit_id=m.unit_id,
                unit=m.unit.name_on(on),
                name=name,
                title=title,
                signed_on=sig.signed_on if sig else None,
            )
        )
    return CovenantData(
        bloc_year_id=bloc_year.pk,
        year=bloc_year.year,
        exists=covenant is not None,
        version=covenant.version if covenant else 0,
        title=covenant.title if covenant else "",
        intro=covenant.content if covenant else "",
        plan_reference=(covenant.plan_reference if covenant else "") or bloc_year.plan_reference,
        date=on,
        signed_on=signed_on,
        targets=targets,
        signers=tuple(signers),
    )
