"""Award operations. The meetings app calls only the functions in the "for meetings" section."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from blocs.models import BlocYear, Membership
from blocs.services import audit

from .models import Award, AwardTitle, Nomination

# --- for meetings ---------------------------------------------------------------------------


def nominations_for_poll(*, bloc_year: BlocYear, award_title: AwardTitle) -> list[Nomination]:
    """The current candidate list for an honour vote on `award_title` in `bloc_year`."""
    return list(
        Nomination.objects.filter(
            bloc_year=bloc_year, award_title=award_title, status=Nomination.Status.CANDIDATE
        )
        .select_related("unit")
        .order_by("rank", "id")
    )


@transaction.atomic
def award_propose_from_poll(
    *,
    bloc_year: BlocYear,
    award_title: AwardTitle,
    unit_ids: list[int],
    source_label: str,
    source_url: str = "",
    proposed_on: dt.date | None = None,
    actor=None,
) -> list[Award]:
    """Create PROPOSED awards for the winners of a vote. Idempotent per (year, title, unit)."""
    members = set(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))
    outsiders = [u for u in unit_ids if u not in members]
    if outsiders:
        raise ValidationError("Không thể đề nghị khen thưởng cho đơn vị không phải thành viên của khối năm %s." % bloc_year.year)
    awards = []
    for unit_id in unit_ids:
        award, created = Award.objects.get_or_create(
            bloc_year=bloc_year,
            award_title=award_title,
            unit_id=unit_id,
            person_name="",
            defaults={"source_label": source_label, "source_url": source_url, "proposed_on": proposed_on},
        )
        if created:
            audit(actor=actor, action="award.propose", obj=award, summary=f"{award} – {source_label}")
        awards.append(award)
    return awards
