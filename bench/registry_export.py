"""Export the national registry (34 provinces × 20 blocs × 10 units × 5 years) as XLSX and CSV.

Usage: .venv/bin/python bench/registry_export.py [--quick]   (against DATABASE_URL; data rolled back)

Times `blocs.registry.export_xlsx` and the streamed CSV (`export_csv_stream`, consumed as the
response would be) over every organizer, median of 3 runs, after ANALYZE. Also:
- `half_xlsx_s`: the XLSX of half the provinces, to show the growth is linear;
- `floor_s`: fetching the same membership rows with `values_list` and nothing else (the
  database's share, which no export can avoid);
- `job_xlsx_s`: the same XLSX written by the background job (`blocs.registry_jobs`, what the
  view starts above REGISTRY_EXPORT_JOB_ROWS): the row count, the file with progress reports,
  and its save into the default storage, run in-process as the worker runs it (once);
- `peak_mb`: the Python heap peak (tracemalloc) while the XLSX is written: bounded, since the
  write-only workbook spills rows to a temporary file.
Target (issue 15): xlsx_s < 3 at national size.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

from _common import Rollback, analyze, peak_rss_mb, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402

from blocs.models import Membership, Organizer  # noqa: E402
from blocs.registry import export_csv_stream, export_xlsx  # noqa: E402
from blocs.registry_jobs import registry_export_job  # noqa: E402
from jobs.models import Job  # noqa: E402
from jobs.services import job_run, job_start  # noqa: E402
from khoithidua import national  # noqa: E402


def median_s(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    provinces = 4 if args.quick else 34
    out = {}
    try:
        with transaction.atomic():
            national.generate(provinces=provinces, blocs=20, units=10, years=5, meetings=False)
            analyze()
            ids = list(
                Organizer.objects.filter(code__startswith="nat-")
                .order_by("code")
                .values_list("pk", flat=True)
            )
            out["rows"] = Membership.objects.filter(bloc_year__bloc__organizer__in=ids).count()

            def floor():
                qs = Membership.objects.filter(bloc_year__bloc__organizer_id__in=ids).values_list(
                    "bloc_year__bloc_id", "bloc_year__year", "bloc_year_id", "unit_id"
                )
                for _row in qs.iterator(chunk_size=5000):
                    pass

            out["floor_s"] = median_s(floor)
            sizes = []

            def xlsx():
                sizes.append(len(export_xlsx(ids)))

            out["xlsx_s"] = median_s(xlsx)
            out["half_xlsx_s"] = median_s(lambda: export_xlsx(ids[: len(ids) // 2]))
            job = job_start(
                func=registry_export_job,
                title="bench",
                kwargs={"organizer_ids": ids, "fmt": "xlsx", "filename": "bench.xlsx"},
            )
            reverse("blocs:registry_import")  # load the URLconf once, as a running worker has
            t0 = time.perf_counter()
            status = job_run(job_id=str(job.pk))
            out["job_xlsx_s"] = time.perf_counter() - t0
            assert status == "succeeded", Job.objects.get(pk=job.pk).message
            out["csv_s"] = median_s(lambda: sum(len(chunk) for chunk in export_csv_stream(ids)))
            tracemalloc.start()
            export_xlsx(ids)
            out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
            out["file_kib"] = sizes[0] / 1024
            raise Rollback
    except Rollback:
        pass
    print(
        f"database {connection.vendor}; {provinces} provinces; xlsx {out['file_kib']:.0f} KiB; "
        f"process peak RSS {peak_rss_mb():.0f} MB"
    )
    print(
        f"RESULT registry_export rows={out['rows']} xlsx_s={out['xlsx_s']:.2f} "
        f"csv_s={out['csv_s']:.2f} peak_mb={out['peak_mb']:.1f} "
        f"half_xlsx_s={out['half_xlsx_s']:.2f} job_xlsx_s={out['job_xlsx_s']:.2f} floor_s={out['floor_s']:.2f}"
    )


if __name__ == "__main__":
    main()
