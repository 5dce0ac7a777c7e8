"""Awards part of the demo data (demo/awards.json). Idempotent: everything is keyed naturally."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from blocs import services as bloc_services
from blocs.models import Bloc, BlocYear, Organizer, RoleAssignment

from . import catalog, services
from .models import Award, AwardTally, AwardTitle, Covenant, CovenantSignature, Criterion, Deadline

DEMO_PASSWORD = "khoithidua-demo"  # the same as blocs.demo.DEMO_PASSWORD


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def load(context: dict) -> None:
    data = json.loads(
        (Path(settings.BASE_DIR) / "demo" / "awards.json").read_text(encoding="utf-8")
    )
    units = context["units"]
    catalog.ensure_catalog()
    for t in data.get("office_titles", []):
        organizer = Organizer.objects.get(code=t["organizer"])
        fields = {k: v for k, v in t.items() if k not in ("organizer", "code")}
        AwardTitle.objects.get_or_create(
            code=t["code"], defaults={**fields, "organizer": organizer}
        )
    titles = {t.code: t for t in AwardTitle.objects.all()}

    for y in data["years"]:
        org = y["organizer"]
        bloc = Bloc.objects.get(organizer__code=org, code=y["bloc"])
        bloc_year = BlocYear.objects.filter(bloc=bloc, year=y["year"]).first()
        if bloc_year is None and y.get("create"):
            bloc_year = bloc_services.bloc_year_create(bloc=bloc, year=y["year"], copy_members=True)
            try:
                bloc_services.rotation_propose(bloc_year=bloc_year)
            except ValidationError:  # a bloc without a rotation plan gets no proposal
                pass
        if bloc_year is None:
            continue
        for q in y.get("quotas", []):
            title = titles[q["title"]]
            if not bloc_year.award_quotas.filter(award_title=title).exists():
                services.quota_set(
                    bloc_year=bloc_year,
                    award_title=title,
                    max_count=q["max_count"],
                    max_individuals=q.get("max_individuals"),
                    eligibility=q.get("eligibility", "any"),
                    top_n=q.get("top_n"),
                    basis=q.get("basis", ""),
                )
        for a in y.get("awards", []):
            services.award_propose_from_poll(
                bloc_year=bloc_year,
                award_title=titles[a["title"]],
                unit_ids=[units[(org, a["unit"])].pk],
                source_label=a["source"],
                proposed_on=_date(a.get("proposed_on")),
            )
        for t in y.get("tallies", []):
            AwardTally.objects.update_or_create(
                bloc_year=bloc_year,
                award_title=titles[t["title"]],
                defaults={
                    "collectives": t["collectives"],
                    "individuals": t["individuals"],
                    "source_label": t["source"],
                    "note": t.get("note", ""),
                    "announced_on": _date(t.get("announced_on")),
                },
            )
        _load_named(bloc_year, y, units, titles)
        if y.get("covenant"):
            _load_covenant(bloc_year, y["covenant"], units, org)
        for d in y.get("deadlines", []):
            if not Deadline.objects.filter(bloc_year=bloc_year, kind=d["kind"]).exists():
                services.deadline_set(
                    bloc_year=bloc_year,
                    kind=d["kind"],
                    due_on=_date(d["due_on"]),
                    basis=d.get("basis", ""),
                )
        if y.get("scheme"):
            _load_scheme(bloc_year, y["scheme"])

    User = get_user_model()
    for u in data.get("users", []):
        user, created = User.objects.get_or_create(
            username=u["username"],
            defaults={"first_name": u["first_name"], "last_name": u["last_name"]},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(
            user=user, role="delegate", unit=units[tuple(u["unit"])]
        )
        label = f"đại biểu đơn vị ({'/'.join(u['unit'])})"
        if "logins" in context and (u["username"], label) not in context["logins"]:
            context["logins"].append((u["username"], label))


def _load_named(bloc_year: BlocYear, y: dict, units: dict, titles: dict) -> None:
    if not y.get("named_title"):
        return
    title = titles[y["named_title"]]
    org = y["organizer"]
    common = {
        "source_label": y["named_source"],
        "proposed_on": _date(y.get("named_proposed_on")),
        "note": y["named_note"],
    }
    for c in y.get("named_collectives", []):
        unit = units[(org, c["unit"])]
        if not Award.objects.filter(
            bloc_year=bloc_year, award_title=title, unit=unit, collective_name=c["name"]
        ).exists():
            services.award_create(
                bloc_year=bloc_year,
                award_title=title,
                unit=unit,
                collective_name=c["name"],
                **common,
            )
    for p in y.get("named_individuals", []):
        unit = units[(org, p["unit"])]
        if not Award.objects.filter(
            bloc_year=bloc_year, award_title=title, unit=unit, person_name=p["name"]
        ).exists():
            services.award_create(
                bloc_year=bloc_year,
                award_title=title,
                unit=unit,
                person_name=p["name"],
                person_position=p["position"],
                **common,
            )


def _load_covenant(bloc_year: BlocYear, c: dict, units: dict, org: str) -> None:
    covenant = (
        services.covenant_current(bloc_year) or Covenant.objects.filter(bloc_year=bloc_year).first()
    )
    if covenant is None:
        covenant = services.covenant_create(
            bloc_year=bloc_year, title=c["title"], content=c.get("content", "")
        )
    for s in c.get("signatures", []):
        unit = units[(org, s["unit"])]
        if (
            covenant.is_draft
            and not CovenantSignature.objects.filter(covenant=covenant, unit=unit).exists()
        ):
            services.covenant_sign(
                covenant=covenant,
                unit=unit,
                representative_name=s["name"],
                representative_position=s["position"],
                signed_on=_date(s["signed_on"]),
            )


def _load_scheme(bloc_year: BlocYear, s: dict) -> None:
    scheme = services.scheme_for(bloc_year, create=True)
    if scheme.criteria.exists():
        return
    for name in ("total_scale", "bonus_cap", "method", "trim_count", "tie_break", "basis"):
        if name in s:
            value = s[name]
            setattr(
                scheme, name, Decimal(str(value)) if name in ("total_scale", "bonus_cap") else value
            )
    scheme.save()
    for g in s["groups"]:
        group = services.criterion_save(
            scheme=scheme,
            parent=None,
            code=g["code"],
            title=g["title"],
            kind=Criterion.Kind.GROUP,
            max_score=0,
        )
        for c in g["criteria"]:
            services.criterion_save(
                scheme=scheme,
                parent=group,
                code=c["code"],
                title=c["title"],
                kind=c["kind"],
                max_score=Decimal(str(c["max"])),
                target_value=Decimal(str(c["target"])) if "target" in c else None,
                target_unit=c.get("unit", ""),
            )
