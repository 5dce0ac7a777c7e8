"""Load the registry part of the demo data (demo/blocs.json). Idempotent: natural keys only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from . import merger, services
from .models import (
    Bloc,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    OrganizerMerger,
    RoleAssignment,
    RotationSlot,
    Unit,
    UnitEvent,
)

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PASSWORD = "khoithidua-demo"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def read(name: str) -> dict:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def load(data: dict | None = None) -> dict:
    data = data or read("blocs.json")
    organizers: dict[str, Organizer] = {}
    for o in data["organizers"]:
        fields = {k: v for k, v in o.items() if k != "code"}
        organizers[o["code"]], _ = Organizer.objects.update_or_create(
            code=o["code"], defaults=fields
        )

    units: dict[tuple[str, str], Unit] = {}
    for u in data["units"]:
        org = organizers[u["organizer"]]
        unit, created = Unit.objects.get_or_create(
            organizer=org,
            code=u["code"],
            defaults={
                "name": u["name"],
                "short_name": u.get("short_name", ""),
                "head_title": u.get("head_title", ""),
            },
        )
        if created:
            UnitEvent.objects.create(
                unit=unit,
                kind=UnitEvent.Kind.CREATED,
                effective_date=dt.date(2022, 1, 1),
                new_name=unit.name,
                basis="Dữ liệu mẫu",
            )
        units[(u["organizer"], u["code"])] = unit
    for u in data["units"]:
        unit = units[(u["organizer"], u["code"])]
        for r in u.get("renames", []):
            when = _date(r["effective_date"])
            if not unit.former_names.filter(valid_until=when).exists():
                services.unit_rename(
                    unit=unit,
                    new_name=r["name"],
                    new_short_name=r.get("short_name", ""),
                    effective_date=when,
                    basis=r.get("basis", ""),
                )
        if u.get("merged_into") and not unit.merged_into_id:
            services.unit_merge(
                unit=unit,
                into=units[(u["organizer"], u["merged_into"])],
                effective_date=_date(u["merged_on"]),
                basis=u.get("merge_basis", ""),
            )

    for b in data["blocs"]:
        org = organizers[b["organizer"]]
        fields = {k: b[k] for k in ("name", "short_name", "kind", "level", "description") if k in b}
        if "rotation_policy" in b:
            fields["rotation_policy"] = b["rotation_policy"]
        bloc, _ = Bloc.objects.update_or_create(organizer=org, code=b["code"], defaults=fields)
        if b.get("rotation") and not RotationSlot.objects.filter(bloc=bloc).exists():
            services.rotation_set_order(
                bloc=bloc, units=[units[(b["organizer"], c)] for c in b["rotation"]]
            )
        for y in b.get("years", []):
            bloc_year, _ = BlocYear.objects.update_or_create(
                bloc=bloc, year=y["year"], defaults={"plan_reference": y.get("plan_reference", "")}
            )
            for code in y.get("members", []):
                Membership.objects.get_or_create(
                    bloc_year=bloc_year, unit=units[(b["organizer"], code)]
                )
            for role in ("leader", "deputy"):
                t = y.get(role)
                if not t:
                    continue
                LeadershipTerm.objects.update_or_create(
                    bloc_year=bloc_year,
                    role=role,
                    defaults={
                        "unit": units[(b["organizer"], t["unit"])],
                        "method": t["method"],
                        "status": LeadershipTerm.Status.CONFIRMED,
                        "reason": t.get("reason", ""),
                        "elected_at_label": t.get("elected_at_label", ""),
                        "elected_on": _date(t.get("elected_on")),
                        "rotating_flag_handed_over": t.get("flag", False),
                    },
                )
            if y.get("propose") and not bloc_year.terms.exists():
                services.rotation_propose(bloc_year=bloc_year)

    for item in data.get("mergers", []):
        _load_merger(item, organizers)

    User = get_user_model()
    logins = []
    for u in data["users"]:
        user, created = User.objects.get_or_create(
            username=u["username"],
            defaults={
                "first_name": u.get("first_name", ""),
                "last_name": u.get("last_name", ""),
                "is_superuser": u.get("superuser", False),
                "is_staff": u.get("superuser", False),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for r in u.get("roles", []):
            scope = {}
            if r["role"] == "office":
                scope["organizer"] = organizers[r["organizer"]]
            elif r["role"] == "secretary":
                scope["bloc"] = Bloc.objects.get(
                    organizer=organizers[r["bloc"][0]], code=r["bloc"][1]
                )
            else:
                scope["unit"] = units[tuple(r["unit"])]
            RoleAssignment.objects.get_or_create(user=user, role=r["role"], **scope)
        logins.append(
            (
                u["username"],
                ", ".join(_role_label(r) for r in u.get("roles", [])) or "Quản trị hệ thống",
            )
        )
    return {"organizers": organizers, "units": units, "logins": logins}


def _load_merger(d: dict, organizers: dict[str, Organizer]) -> None:
    """A province merger as an operator would review it: the proposal, with the demo's
    explicit unit and bloc mapping (by code) where given; roles are kept."""
    source, target = organizers[d["source"]], organizers[d["target"]]
    record = OrganizerMerger.objects.filter(source=source).first()
    if record is None:
        record = merger.merger_record(
            source=source,
            target=target,
            effective_date=_date(d["effective_date"]),
            basis=d["basis"],
        )
    if record.is_confirmed:
        return
    proposal = merger.merger_proposal(merger=record)
    unit_codes = {u.code: u.pk for u in Unit.objects.filter(organizer=target)}
    bloc_codes = {b.code: b.pk for b in Bloc.objects.filter(organizer=target)}
    units, blocs = {}, {}
    for rows, mapping, codes, out in (
        (proposal.units, d.get("units", {}), unit_codes, units),
        (proposal.blocs, d.get("blocs", {}), bloc_codes, blocs),
    ):
        for row in rows:
            if row.obj.code in mapping:
                out[row.obj.pk] = merger.Choice(merger.LINK, codes[mapping[row.obj.code]])
            elif row.default == merger.LINK:
                out[row.obj.pk] = merger.Choice(merger.LINK, row.default_target.pk)
            else:
                out[row.obj.pk] = merger.Choice(merger.NEW)
    merger.merger_confirm(merger=record, units=units, blocs=blocs, roles={})


def _role_label(r: dict) -> str:
    if r["role"] == "office":
        return f"cán bộ TĐKT ({r['organizer']})"
    if r["role"] == "secretary":
        return f"thư ký khối ({'/'.join(r['bloc'])})"
    return f"đại biểu đơn vị ({'/'.join(r['unit'])})"
