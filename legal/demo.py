"""Signers from the seed reports (demo/people.json). Idempotent: natural keys only."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from blocs.models import BlocYear

from .models import BlocSigner, UnitHead


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def ship_texts() -> None:
    """The shipped legal texts (migration 0002), again if they are gone (a database flushed
    after migrating, as a transactional test leaves it). Idempotent: by number."""
    from django.apps import apps

    ship = importlib.import_module("legal.migrations.0002_shipped_texts").ship
    ship(apps, None)


@transaction.atomic
def load(context: dict) -> None:
    ship_texts()
    data = json.loads((Path(settings.BASE_DIR) / "demo" / "people.json").read_text("utf-8"))
    units = context["units"]
    for h in data["unit_heads"]:
        UnitHead.objects.update_or_create(
            unit=units[(h["organizer"], h["unit"])],
            title=h["title"],
            valid_until=_date(h["valid_until"]),
            defaults={
                "full_name": h["full_name"],
                "valid_from": _date(h["valid_from"]),
                "source": h["source"],
            },
        )
    for s in data["bloc_signers"]:
        bloc_year = BlocYear.objects.get(
            bloc__organizer__code=s["organizer"], bloc__code=s["bloc"], year=s["year"]
        )
        term = bloc_year.terms.get(role=s["role"])
        BlocSigner.objects.update_or_create(
            bloc_year=bloc_year,
            role=s["role"],
            full_name=s["full_name"],
            defaults={"unit": term.unit, "title": s["title"], "source": s["source"]},
        )
