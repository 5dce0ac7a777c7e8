"""Import a 10,000-row registry XLSX (all-or-nothing, validated) and report time and peak memory.

Usage: .venv/bin/python bench/import_registry.py [--quick]   (against DATABASE_URL; data rolled back)
"""

from __future__ import annotations

import argparse
import io
import time
import tracemalloc

from _common import Rollback, analyze, peak_rss_mb, setup_django

setup_django()

import openpyxl  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from blocs.models import Membership, Organizer  # noqa: E402
from blocs.registry import LABEL, import_registry  # noqa: E402


def build_xlsx(rows: int) -> bytes:
    """rows = blocs × years × units; 50 blocs × 5 years × 40 units = 10,000."""
    units_per_bloc, years = 40, 5
    blocs = max(1, rows // (units_per_bloc * years))
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh muc")
    keys = ["bloc_code", "bloc_name", "bloc_kind", "bloc_level", "year"]
    keys += ["unit_code", "unit_name", "unit_short_name", "role"]
    ws.append([LABEL[k] for k in keys])
    n = 0
    for b in range(blocs):
        for y in range(years):
            for u in range(units_per_bloc):
                role = "Khối trưởng" if u == y else ("Khối phó" if u == y + 1 else "")
                ws.append(
                    [
                        f"khoi-{b:03d}",
                        f"Khối thi đua số {b + 1}",
                        "Khối",
                        "Tỉnh",
                        2021 + y,
                        f"dv-{b:03d}-{u:02d}",
                        f"Đơn vị {u + 1} thuộc khối {b + 1}",
                        "",
                        role,
                    ]
                )
                n += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = 2000 if args.quick else 10_000
    data = build_xlsx(rows)
    result = {}
    try:
        with transaction.atomic():
            org = Organizer.objects.create(
                code="bench-import", name="UBND tỉnh Đo Hiệu Năng", place_name="Đo"
            )
            tracemalloc.start()
            t0 = time.perf_counter()
            first = import_registry(organizer=org, filename="danh-muc.xlsx", data=data)
            result["s"] = time.perf_counter() - t0
            result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
            assert first.ok, first.errors[:5]
            result["rows"] = first.rows
            result["memberships"] = Membership.objects.filter(
                bloc_year__bloc__organizer=org
            ).count()
            analyze()  # the re-import runs on loaded tables with their statistics
            t0 = time.perf_counter()
            again = import_registry(organizer=org, filename="danh-muc.xlsx", data=data)
            result["reimport_s"] = time.perf_counter() - t0
            result["reimport_changes"] = again.changes
            raise Rollback
    except Rollback:
        pass
    print(
        f"database {connection.vendor}; file {len(data) / 1024:.0f} KiB; memberships created {result['memberships']}"
    )
    print(
        f"RESULT import_registry rows={result['rows']} s={result['s']:.2f} peak_mb={result['traced_peak_mb']:.1f} "
        f"process_peak_rss_mb={peak_rss_mb():.0f} reimport_s={result['reimport_s']:.2f} "
        f"reimport_changes={result['reimport_changes']}"
    )


if __name__ == "__main__":
    main()
