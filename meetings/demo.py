"""Meetings from the seed reports (demo/meetings.json). Idempotent by bloc-year, kind and start."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blocs.models import BlocYear

from .models import Meeting


@transaction.atomic
def load(context: dict) -> None:
    data = json.loads((Path(settings.BASE_DIR) / "demo" / "meetings.json").read_text(encoding="utf-8"))
    units = context["units"]
    for m in data["meetings"]:
        bloc_year = BlocYear.objects.get(bloc__organizer__code=m["organizer"], bloc__code=m["bloc"], year=m["year"])
        starts_at = timezone.make_aware(dt.datetime.fromisoformat(m["starts_at"]))
        Meeting.objects.update_or_create(
            bloc_year=bloc_year,
            kind=m["kind"],
            starts_at=starts_at,
            defaults={
                "title": m["title"],
                "place": m.get("place", ""),
                "host_unit": units[(m["organizer"], m["host"])] if m.get("host") else None,
            },
        )
