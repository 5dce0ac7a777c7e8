"""Benchmark: 40 paper ballots (one per present unit of a 40-unit bloc) as one PDF.

.venv/bin/python bench/ballots_pdf.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    quick = "--quick" in sys.argv
    import django

    django.setup()
    from minutes_pdf import _pages, make_bloc_year

    from documents import services
    from tests.sample_meeting import make_meeting

    by = make_bloc_year(40)
    meeting = make_meeting(by, agenda_items=2, polls=1, absent=0)
    from _common import analyze

    analyze()  # statistics as production has them
    snapshot = services.draft_snapshot("ballots", meeting)
    ballots = len(snapshot["ballots"])
    services.draft_pdf("ballots", meeting)  # warm-up
    runs = 3 if quick else 7
    times, cpu, pdf = [], [], b""
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        pdf = services.draft_pdf("ballots", meeting)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    tracemalloc.start()
    services.draft_pdf("ballots", meeting)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    s = min(times)
    print(
        f"ballots: {ballots} ballots on {_pages(pdf)} pages, best of {runs}: {s:.3f} s (median {statistics.median(times):.3f}), cpu {min(cpu):.3f} s"
    )
    print(
        f"RESULT ballots_pdf ballots={ballots} s={s:.3f} peak_mb={peak / 2**20:.1f} cpu_s={min(cpu):.3f} pages={_pages(pdf)}"
    )


if __name__ == "__main__":
    main()
