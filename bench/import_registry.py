"""The registry import as production runs it (issue 12): a big XLSX through the job path, and
the hostile files refused on the import page.

1. Job path: 100,000 rows (--quick: 10,000) in a write-only XLSX (no declared dimension, as
   openpyxl writes it), POSTed to the import page as office staff. The request counts the rows
   and queues a job (`blocs.registry_jobs.registry_import_job`); the database worker's own
   claim/run code (`jobs.testing.run_jobs`) then runs it: read, check every row, write in one
   transaction. Target: request + job < 60 s, peak RSS < 300 MB for the process doing both.
2. Hostile files, each POSTed to the same page: the answer must be 422 with its Vietnamese
   message, in < 2 s and < 100 MB each. (An XLSX whose declared dimension lies small is not
   refused but counted by streaming and sent to the job: tests/blocs/test_import_job.py.)

Each part runs in a fresh child process, so its peak RSS (VmHWM) is its own, not the file
building's. Everything is rolled back. The last line is
`RESULT import_registry key=value …` with the unit in each key's name.

Usage: DATABASE_URL=… .venv/bin/python bench/import_registry.py [--quick]
(a fresh, migrated database; the first run also collects the static files, timed apart).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S, TARGET_RSS_MB = 60, 300
HOSTILE_S, HOSTILE_MB = 2, 100

# kind -> (file name, a piece of the Vietnamese message the page must show)
HOSTILE = {
    "wide_declared": ("danh-muc.xlsx", "Bảng tính khai báo 16.384 cột; tối đa 64 cột."),
    "wide_row": ("danh-muc.xlsx", "cột thứ 16.384; tối đa 64 cột."),
    "bomb_712mb": ("danh-muc.xlsx", "vượt giới hạn 256,0 MB"),
    "bomb_ratio": ("danh-muc.xlsx", "tỉ lệ nén"),
    "bomb_lying_size": ("danh-muc.xlsx", "tệp bị hỏng hoặc không đúng định dạng"),
    "rows_declared": ("danh-muc.xlsx", "Bảng tính khai báo 1.048.576 dòng"),
    "csv_rows": ("danh-muc.csv", "Tệp có quá 100.000 dòng dữ liệu"),
    "oversized": ("danh-muc.xlsx", "Tệp quá lớn"),
    "legacy_xls": ("danh-muc.xlsx", "Tệp là bảng tính Excel cũ (.xls)"),
}


# --- building the files (parent process) ----------------------------------------------------


def build_xlsx(rows: int) -> bytes:
    """rows = blocs × years × units (40 units, 5 years): a valid registry, leaders included."""
    import openpyxl

    from blocs.registry import LABEL

    units_per_bloc, years = 40, 5
    blocs = max(1, rows // (units_per_bloc * years))
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh muc")
    keys = ["bloc_code", "bloc_name", "bloc_kind", "bloc_level", "year"]
    keys += ["unit_code", "unit_name", "unit_short_name", "role"]
    ws.append([LABEL[k] for k in keys])
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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_hostile() -> dict[str, bytes]:
    from django.conf import settings

    from tests.core import hostile_files as h

    csv_lines = ["Mã khối,Tên khối,Năm,Mã đơn vị"] + [
        f"k{i % 50},Khối,2024,dv-{i}" for i in range(100_001)
    ]
    return {
        "wide_declared": h.wide_sheet_xlsx(),
        "wide_row": h.wide_row_xlsx_without_dimension(),
        "bomb_712mb": h.zip_bomb_xlsx(inflated_mb=712),
        "bomb_ratio": h.zip_bomb_xlsx(inflated_mb=40),
        "bomb_lying_size": h.zip_bomb_xlsx(inflated_mb=300, lie_about_size=True),
        "rows_declared": h.xlsx_bytes(h.sheet_xml([["Mã"], ["A"]], dimension="A1:C1048576")),
        "csv_rows": ("\n".join(csv_lines) + "\n").encode(),
        "oversized": b"PK\x03\x04" + b"\0" * (settings.MAX_IMPORT_BYTES + 1024 * 1024),
        "legacy_xls": h.legacy_xls_bytes(),
    }


# --- children: measured in a process of their own -------------------------------------------


def _rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _office_client(tag: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from blocs.models import Organizer, RoleAssignment

    organizer = Organizer.objects.create(
        code=f"bench-{tag}", name="UBND tỉnh Đo Hiệu Năng", place_name="Đo"
    )
    user = get_user_model().objects.create(username=f"bench-{tag}")
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.OFFICE, organizer=organizer)
    client = Client()
    client.force_login(user)
    return client, organizer


def _post(client, organizer, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(
        reverse("blocs:registry_import"), {"organizer": organizer.pk, "file": upload}
    )


def child_job(path: str) -> dict:
    from _common import Rollback
    from django.db import transaction
    from django.urls import reverse

    from blocs.models import Membership
    from jobs.models import Job
    from jobs.testing import run_jobs

    data = Path(path).read_bytes()
    out: dict = {}
    try:
        with transaction.atomic():
            client, organizer = _office_client("job")
            client.get(reverse("blocs:registry_import"))  # warm: templates, translations
            out["base_rss_mb"] = _rss_mb("VmRSS")
            t0 = time.perf_counter()
            response = _post(client, organizer, "danh-muc-lon.xlsx", data)
            out["request_s"] = time.perf_counter() - t0
            assert response.status_code == 302, response.status_code
            job = Job.objects.get()
            assert response["Location"] == job.get_absolute_url()
            assert job.status == Job.Status.QUEUED, job.status
            t1 = time.perf_counter()
            out["jobs_run"] = run_jobs()
            out["job_s"] = time.perf_counter() - t1
            job.refresh_from_db()
            out["status"] = job.status
            out["message"] = job.message
            out["progress"] = f"{job.done}/{job.total}"
            out["memberships"] = Membership.objects.filter(
                bloc_year__bloc__organizer=organizer
            ).count()
            page = client.get(job.get_absolute_url()).content.decode()
            out["page_shows_report"] = job.message in page
            raise Rollback
    except Rollback:
        pass
    out["peak_rss_mb"] = _rss_mb("VmHWM")
    return out


def child_hostile(directory: str) -> dict:
    import tracemalloc

    from _common import Rollback
    from django.db import transaction
    from django.urls import reverse

    from blocs.models import Unit

    out: dict = {"files": {}}
    try:
        with transaction.atomic():
            client, organizer = _office_client("hostile")
            client.get(reverse("blocs:registry_import"))
            _post(client, organizer, "am.csv", b"a\n")  # warm the POST path too
            units = Unit.objects.count()
            out["base_rss_mb"] = _rss_mb("VmRSS")
            # Pass 1, untraced: the time, the status and message, and the RSS high-water mark.
            for kind, (name, message) in HOSTILE.items():
                data = (Path(directory) / kind).read_bytes()
                hwm = _rss_mb("VmHWM")
                t0 = time.perf_counter()
                response = _post(client, organizer, name, data)
                seconds = time.perf_counter() - t0
                body = response.content.decode()
                out["files"][kind] = {
                    "status": response.status_code,
                    "message_shown": message in body,
                    "s": seconds,
                    "new_peak_rss_mb": _rss_mb("VmHWM") - hwm,
                    "file_kb": len(data) / 1024,
                }
                del data, response, body
            # The most any one of them needed above the baseline (an upper bound: the largest
            # single peak, the client's multipart copies of the upload included).
            out["untraced_peak_rss_mb"] = _rss_mb("VmHWM")
            # Pass 2: Python's allocations per file (tracemalloc slows Python and costs memory
            # itself, so apart from pass 1).
            for kind, (name, _message) in HOSTILE.items():
                data = (Path(directory) / kind).read_bytes()
                tracemalloc.start()
                try:
                    _post(client, organizer, name, data)
                    traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                finally:
                    tracemalloc.stop()
                out["files"][kind]["traced_mb"] = traced
                del data
            out["saved_nothing"] = Unit.objects.count() == units
            raise Rollback
    except Rollback:
        pass
    out["peak_rss_mb"] = _rss_mb("VmHWM")
    return out


def _run_child(kind: str, arg: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, arg],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT / "bench")},
        timeout=900,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"the {kind} child failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 rows instead of 100,000")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import setup_django

    started = time.perf_counter()
    setup_django()  # collects the static files once if they are missing (timed apart)
    setup_s = time.perf_counter() - started
    if args.child:
        kind, arg = args.child
        print(json.dumps(child_job(arg) if kind == "job" else child_hostile(arg)))
        return

    from django.db import connection

    rows = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        t0 = time.perf_counter()
        big = Path(tmp) / "big.xlsx"
        big.write_bytes(build_xlsx(rows))
        hostile_dir = Path(tmp) / "hostile"
        hostile_dir.mkdir()
        for kind, data in build_hostile().items():
            (hostile_dir / kind).write_bytes(data)
        build_s = time.perf_counter() - t0
        job = _run_child("job", str(big))
        hostile = _run_child("hostile", str(hostile_dir))
        big_kb = big.stat().st_size / 1024

    total_s = job["request_s"] + job["job_s"]
    job_ok = (
        job["status"] == "succeeded"
        and job["memberships"] == rows
        and job["progress"] == "3/3"
        and job["page_shows_report"]
    )
    print(f"database {connection.vendor}; {rows:,} rows, XLSX {big_kb:.0f} KiB (no dimension)")
    print(
        f"job path: request {job['request_s']:.2f} s (count + store + queue), job "
        f"{job['job_s']:.2f} s, {job['status']} {job['progress']}: {job['message']}"
    )
    print(
        f"job child: RSS {job['base_rss_mb']:.0f} MB after Django setup, peak "
        f"{job['peak_rss_mb']:.0f} MB"
    )
    files = hostile["files"]
    for kind, f in files.items():
        print(
            f"hostile {kind:22} {f['file_kb']:9.0f} KiB  → {f['status']}  {f['s']:.3f} s  "
            f"traced {f['traced_mb']:.1f} MB  new RSS peak +{f['new_peak_rss_mb']:.0f} MB  "
            f"message {'ok' if f['message_shown'] else 'MISSING'}"
        )
    refused = [k for k, f in files.items() if f["status"] == 422 and f["message_shown"]]
    slowest = max(files, key=lambda k: files[k]["s"])
    hostile_max_s = files[slowest]["s"]
    hostile_max_traced_mb = max(f["traced_mb"] for f in files.values())
    hostile_rss_growth_mb = hostile["untraced_peak_rss_mb"] - hostile["base_rss_mb"]
    hostile_ok = (
        len(refused) == len(files)
        and hostile["saved_nothing"]
        and hostile_max_s < HOSTILE_S
        and hostile_max_traced_mb < HOSTILE_MB
        and hostile_rss_growth_mb < HOSTILE_MB
    )
    job_target = job_ok and total_s < TARGET_S and job["peak_rss_mb"] < TARGET_RSS_MB
    print(
        f"RESULT import_registry rows={rows} request_s={job['request_s']:.2f} "
        f"job_s={job['job_s']:.2f} total_s={total_s:.2f} job_peak_rss_mb={job['peak_rss_mb']:.0f} "
        f"job_base_rss_mb={job['base_rss_mb']:.0f} job_ok={int(job_ok)} "
        f"job_target_met={int(job_target)} hostile_files={len(files)} "
        f"hostile_refused={len(refused)} hostile_max_s={hostile_max_s:.3f} "
        f"hostile_slowest={slowest} hostile_max_traced_mb={hostile_max_traced_mb:.1f} "
        f"hostile_untraced_rss_growth_mb={hostile_rss_growth_mb:.0f} hostile_target_met={int(hostile_ok)} "
        f"build_s={build_s:.1f} setup_s={setup_s:.1f} wall_s={time.perf_counter() - started:.1f}"
    )


if __name__ == "__main__":
    main()
