"""The province-wide awards report exported to XLSX over 5 years of national-scale data.

Usage: .venv/bin/python bench/awards_export.py [--quick]   (against DATABASE_URL; data rolled back)
Scale: 34 provinces × 20 blocs × 10 units × 5 years; per bloc-year 1 Cờ thi đua, 2 Bằng khen to
units and 3 Bằng khen to individuals. --quick uses 4 provinces.
Prints: RESULT awards_export rows=… s=… peak_mb=…  (s: one export; peak_mb: Python allocations of a second,
identical export under tracemalloc)
"""

from __future__ import annotations

import argparse
import io
import time
import tracemalloc

from _common import Rollback, analyze, peak_rss_mb, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from awards.catalog import ensure_catalog  # noqa: E402
from awards.models import Award, AwardTitle, Person  # noqa: E402
from blocs.models import BlocYear, Membership  # noqa: E402
from khoithidua.national import generate  # noqa: E402


def add_awards() -> int:
    ensure_catalog()
    co = AwardTitle.objects.get(code="co-thi-dua-ubnd-tinh")
    bk = AwardTitle.objects.get(code="bang-khen-chu-tich-ubnd-tinh")
    members: dict[int, list[int]] = {}
    for by_id, unit_id in (
        Membership.objects.filter(bloc_year__bloc__organizer__code__startswith="nat-")
        .values_list("bloc_year_id", "unit_id")
        .order_by("bloc_year_id", "unit_id")
    ):
        members.setdefault(by_id, []).append(unit_id)
    years = dict(BlocYear.objects.filter(pk__in=members).values_list("pk", "year"))
    people = {}
    first_units = {units[0] for units in members.values()}
    for p in Person.objects.bulk_create(
        (
            Person(unit_id=u, full_name=f"Cán bộ {k} đơn vị {u}", position="Chuyên viên")
            for u in first_units
            for k in range(3)
        ),
        batch_size=5000,
    ):
        people.setdefault(p.unit_id, []).append(p)
    rows = []
    for by_id, units in members.items():
        y = years[by_id]
        common = {
            "bloc_year_id": by_id,
            "year": y,
            "source_label": "Biểu quyết tại hội nghị tổng kết",
        }
        rows.append(Award(award_title=co, unit_id=units[0], **common))
        rows += [Award(award_title=bk, unit_id=u, **common) for u in units[1:3]]
        rows += [
            Award(
                award_title=bk,
                unit_id=units[0],
                person=p,
                person_name=p.full_name,
                person_position=p.position,
                **common,
            )
            for p in people[units[0]]
        ]
    Award.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = dict(provinces=4 if args.quick else 34, blocs=20, units=10, years=5)
    result = {}
    try:
        with transaction.atomic():
            generate(meetings=False, **scale)
            result["awards"] = add_awards()
            analyze()
            user = get_user_model().objects.create_superuser("bench-export", "b@example.org", "x")
            client = Client()
            client.force_login(user)
            client.get("/ping/")
            t0 = time.perf_counter()
            response = client.get("/awards/export.xlsx")
            data = response.content
            result["s"] = time.perf_counter() - t0
            # Memory in a second, identical export (tracemalloc slows Python down, so not timed).
            tracemalloc.start()
            client.get("/awards/export.xlsx")
            result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
            assert response.status_code == 200, response.status_code
            import openpyxl

            ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
            result["rows"] = sum(1 for _ in ws.iter_rows(min_row=2, values_only=True))
            result["size_mb"] = len(data) / 1024 / 1024
            raise Rollback
    except Rollback:
        pass
    print(
        f"scale: {scale}, {result['awards']} awards, database {connection.vendor}, "
        f"file {result['size_mb']:.1f} MB, process peak RSS {peak_rss_mb():.0f} MB"
    )
    print(
        f"RESULT awards_export rows={result['rows']} s={result['s']:.2f} peak_mb={result['peak_mb']:.1f}"
    )


if __name__ == "__main__":
    main()
