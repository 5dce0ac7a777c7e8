"""The legal basis a document cites: the texts in force on the document's own date.

from legal.texts import citations_on
citations_on(day, organizer=bloc.organizer)   # ["Luật Thi đua, khen thưởng số …", …]
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import LegalText


def in_force(day: dt.date, *, organizer=None) -> list[LegalText]:
    """National texts in force on `day`, then the organizer's own, in citation order."""
    scope = Q(organizer__isnull=True)
    if organizer is not None:
        scope |= Q(organizer=organizer)
    return list(
        LegalText.objects.filter(scope, effective_from__lte=day)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .order_by("position", "effective_from", "number")
    )


def citations_on(day: dt.date, *, organizer=None) -> list[str]:
    return [text.citation for text in in_force(day, organizer=organizer)]
