"""Synthetic national-scale registry data for benchmarks (34 provinces × 20 blocs × 10 units × 5 years)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from blocs.models import Bloc, BlocYear, LeadershipTerm, Level, Membership, Organizer, Unit
from meetings.models import Meeting

PREFIX = "nat"


@transaction.atomic
def generate(
    *,
    provinces: int = 34,
    blocs: int = 20,
    units: int = 10,
    years: int = 5,
    first_year: int | None = None,
    meetings: bool = True,
) -> dict:
    """Create the data in bulk. Codes start with "nat-" so a second run can be detected and skipped."""
    if Organizer.objects.filter(code__startswith=f"{PREFIX}-").exists():
        raise ValueError("Dữ liệu quy mô quốc gia đã tồn tại (mã bắt đầu bằng 'nat-').")
    first_year = first_year or timezone.localdate().year - years + 1
    orgs = Organizer.objects.bulk_create(
        Organizer(
            code=f"{PREFIX}-{p:02d}",
            name=f"UBND tỉnh Mẫu {p:02d}",
            province=f"Tỉnh Mẫu {p:02d}",
            place_name=f"Tỉnh Mẫu {p:02d}",
            office_name=f"Sở Nội vụ tỉnh Mẫu {p:02d}",
        )
        for p in range(provinces)
    )
    all_units, all_blocs = [], []
    for org in orgs:
        for b in range(blocs):
            all_blocs.append(
                Bloc(
                    organizer=org,
                    code=f"khoi-{b:02d}",
                    name=f"Khối thi đua số {b + 1} – {org.province}",
                    level=Level.PROVINCE,
                )
            )
            for u in range(units):
                all_units.append(
                    Unit(
                        organizer=org,
                        code=f"dv-{b:02d}-{u:02d}",
                        name=f"Đơn vị {u + 1} khối {b + 1} – {org.province}",
                    )
                )
    Bloc.objects.bulk_create(all_blocs, batch_size=2000)
    Unit.objects.bulk_create(all_units, batch_size=2000)
    bloc_rows = list(
        Bloc.objects.filter(organizer__in=orgs).values_list("pk", "organizer_id", "code")
    )
    unit_ids = {
        (o, c): pk
        for pk, o, c in Unit.objects.filter(organizer__in=orgs).values_list(
            "pk", "organizer_id", "code"
        )
    }
    year_objs = [
        BlocYear(bloc_id=pk, year=first_year + y) for pk, _, _ in bloc_rows for y in range(years)
    ]
    BlocYear.objects.bulk_create(year_objs, batch_size=5000)
    bloc_info = {pk: (org_id, code[-2:]) for pk, org_id, code in bloc_rows}
    memberships, terms, meets = [], [], []
    for by_id, bloc_id, year in BlocYear.objects.filter(bloc_id__in=bloc_info).values_list(
        "pk", "bloc_id", "year"
    ):
        org_id, b = bloc_info[bloc_id]
        members = [unit_ids[(org_id, f"dv-{b}-{u:02d}")] for u in range(units)]
        memberships += [Membership(bloc_year_id=by_id, unit_id=uid) for uid in members]
        k = year - first_year
        terms.append(
            LeadershipTerm(
                bloc_year_id=by_id,
                role="leader",
                unit_id=members[k % units],
                method="rotation",
                status="confirmed",
            )
        )
        terms.append(
            LeadershipTerm(
                bloc_year_id=by_id,
                role="deputy",
                unit_id=members[(k + 1) % units],
                method="rotation",
                status="confirmed",
            )
        )
        if meetings:
            meets.append(
                Meeting(
                    bloc_year_id=by_id,
                    kind="midyear",
                    title=f"Sơ kết 6 tháng năm {year}",
                    starts_at=timezone.make_aware(dt.datetime(year, 7, 10, 8, 0)),
                )
            )
            meets.append(
                Meeting(
                    bloc_year_id=by_id,
                    kind="yearend",
                    title=f"Tổng kết năm {year}",
                    starts_at=timezone.make_aware(dt.datetime(year, 12, 5, 8, 0)),
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=5000)
    LeadershipTerm.objects.bulk_create(terms, batch_size=5000)
    if meets:
        Meeting.objects.bulk_create(meets, batch_size=5000)
    return {
        "organizers": len(orgs),
        "blocs": len(all_blocs),
        "units": len(all_units),
        "years": len(year_objs),
        "memberships": len(memberships),
        "terms": len(terms),
        "meetings": len(meets),
    }
