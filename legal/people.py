"""Who signs: the head of a unit and the bloc's representative, as of a date.

    from legal.people import bloc_signer_on, heads_on, unit_head_on
    unit_head_on(unit, day)                   # Person, or None when nothing is recorded
    heads_on(units, day)                      # {unit id: Person | None}, two queries
    bloc_signer_on(bloc_year, "leader", day)  # the leader's representative, else its head

A Person may have a title and no name (the office is known, the person is not recorded):
`Person.complete` says whether a signature block can be printed without a blank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from blocs.models import BlocYear, LeadershipTerm, Unit

from .models import BlocSigner, UnitHead


@dataclass(frozen=True)
class Person:
    name: str
    title: str = ""
    unit: str = ""  # the unit's name on the date asked about

    @property
    def complete(self) -> bool:
        return bool(self.name.strip() and self.title.strip())


def _head_from(unit: Unit, records: Iterable[UnitHead], day: dt.date) -> Person | None:
    """The record covering `day`; else the unit's current head title if the unit still bears
    the name it had on `day` (a title belongs to a name: «Cục trưởng» is not the title of the
    renamed «Thi hành án dân sự tỉnh»); else None."""
    unit_name = unit.name_on(day)
    for head in sorted(records, key=lambda h: h.valid_from or dt.date.min):
        if head.covers(day):
            return Person(head.full_name.strip(), head.title.strip(), unit_name)
    if unit.head_title and unit_name == unit.name:
        return Person("", unit.head_title.strip(), unit_name)
    return None


def unit_head_on(unit: Unit, day: dt.date) -> Person | None:
    return _head_from(unit, unit.heads.all(), day)


def heads_on(units: list[Unit], day: dt.date) -> dict[int, Person | None]:
    # The unit's name on `day` reads its former names: one query for all units, not one each
    # (a no-op for units that already carry them).
    prefetch_related_objects(units, "former_names")
    by_unit: dict[int, list[UnitHead]] = {}
    for head in UnitHead.objects.filter(unit__in=units):
        by_unit.setdefault(head.unit_id, []).append(head)
    return {unit.pk: _head_from(unit, by_unit.get(unit.pk, []), day) for unit in units}


def bloc_signer_on(bloc_year: BlocYear, role: str, day: dt.date) -> Person | None:
    """Who signs for the bloc in `role` on `day`: the recorded representative, else the head
    of that year's confirmed leader (deputy) unit. None when no unit is confirmed in the role."""
    signers = BlocSigner.objects.filter(bloc_year=bloc_year, role=role).select_related("unit")
    for signer in signers.prefetch_related("unit__former_names"):
        if signer.covers(day):
            return Person(signer.full_name.strip(), signer.title.strip(), signer.unit.name_on(day))
    term = (
        LeadershipTerm.objects.filter(
            bloc_year=bloc_year, role=role, status=LeadershipTerm.Status.CONFIRMED
        )
        .select_related("unit")
        .prefetch_related("unit__former_names", "unit__heads")
        .first()
    )
    if term is None:
        return None
    return _head_from(term.unit, term.unit.heads.all(), day) or Person(
        "", "", term.unit.name_on(day)
    )
