"""Benchmark: the biên bản hội nghị PDF of a 40-unit bloc with 5 polls and 10 agenda items.

Builds its own data through the meetings services (attendance, secret polls cast, closed and
published) in the database of DATABASE_URL, then times snapshot + template + WeasyPrint.
The floor is bare WeasyPrint rendering the same document as a plain HTML page (the same HTML
without our stylesheet and fonts), in the same run; ratio = s / floor_s. A second floor renders
only the text in 5-line paragraphs (no tables): floor_text_s, ratio_text. Times are the best of
N runs (the machine is shared); cpu_s is process time. peak_mb: tracemalloc peak of one render.

    .venv/bin/python bench/minutes_pdf.py [--quick]
"""

from __future__ import annotations

import html
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")
os.environ.setdefault("DEBUG", "1")


def make_bloc_year(n_units: int):
    from blocs.models import Bloc, BlocYear, Membership, Organizer, Unit

    tag = uuid.uuid4().hex[:8]
    org = Organizer.objects.create(
        code=f"bench-{tag}",
        name="UBND tỉnh Bắc Ninh",
        place_name="Bắc Ninh",
        province="Bắc Ninh",
        office_name="Sở Nội vụ tỉnh Bắc Ninh",
    )
    bloc = Bloc.objects.create(
        organizer=org, code="knc", name="Khối thi đua các cơ quan Nội chính tỉnh", short_name="KNC"
    )
    by = BlocYear.objects.create(bloc=bloc, year=2024)
    names = [
        "Công an tỉnh",
        "Tòa án nhân dân tỉnh",
        "Viện Kiểm sát nhân dân tỉnh",
        "Thanh tra tỉnh",
        "Sở Tư pháp",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Thi hành án dân sự tỉnh",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    ]
    for i in range(n_units):
        name = names[i] if i < len(names) else f"Sở, ngành số {i + 1:02d} tỉnh Bắc Ninh"
        unit = Unit.objects.create(organizer=org, code=f"u{i}", name=name, short_name=f"ĐV{i + 1}")
        Membership.objects.create(bloc_year=by, unit=unit)
    return by


def floor_html(pdf: bytes) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Paragraphs of five lines: the same text, about the same number of pages, no stylesheet.
    paragraphs = "".join(
        f"<p>{html.escape(' '.join(lines[i : i + 5]))}</p>" for i in range(0, len(lines), 5)
    )
    return f"<!doctype html><html lang='vi'><head><meta charset='utf-8'></head><body>{paragraphs}</body></html>"


def main() -> None:
    quick = "--quick" in sys.argv
    import django

    django.setup()
    from documents import rendering, services
    from tests.sample_meeting import make_meeting

    by = make_bloc_year(40)
    meeting = make_meeting(by, agenda_items=10, polls=5, absent=2)
    from _common import analyze

    analyze()  # statistics as production has them
    services.draft_pdf("minutes", meeting)  # warm-up: templates, fonts
    runs = 3 if quick else 7
    wall, cpu, pdf = [], [], b""
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        pdf = services.draft_pdf("minutes", meeting)  # queries + snapshot + template + WeasyPrint
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    # Floor: the same document as a plain HTML page (same content and length, no stylesheet,
    # no fonts of ours), rendered by bare WeasyPrint in this run.
    plain = services.render_snapshot_html(
        "minutes", services.draft_snapshot("minutes", meeting), for_pdf=True
    )
    text_only = floor_html(pdf)
    floors = {}
    for name, page in (("plain", plain), ("text", text_only)):
        rendering.html_to_pdf(page)
        w, c = [], []
        for _ in range(runs):
            t, cc = time.perf_counter(), time.process_time()
            floor_pdf = rendering.html_to_pdf(page)
            w.append(time.perf_counter() - t)
            c.append(time.process_time() - cc)
        floors[name] = (min(w), min(c), _pages(floor_pdf))
    tracemalloc.start()
    services.draft_pdf("minutes", meeting)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    pages = _pages(pdf)
    s, cpu_s = min(wall), min(cpu)
    floor_s, floor_cpu_s, floor_pages = floors["plain"]
    print(
        f"minutes: {pages} pages, best of {runs}: wall {s:.3f} s (median {statistics.median(wall):.3f}), cpu {cpu_s:.3f} s"
    )
    print(
        f"floor, same HTML without stylesheet: {floor_pages} pages, wall {floor_s:.3f} s, cpu {floor_cpu_s:.3f} s"
    )
    print(
        f"floor, text only in 5-line paragraphs: {floors['text'][2]} pages, wall {floors['text'][0]:.3f} s, cpu {floors['text'][1]:.3f} s"
    )
    print(
        f"RESULT minutes_pdf s={s:.3f} floor_s={floor_s:.3f} ratio={s / floor_s:.2f} peak_mb={peak / 2**20:.1f} "
        f"cpu_s={cpu_s:.3f} floor_cpu_s={floor_cpu_s:.3f} floor_text_s={floors['text'][0]:.3f} "
        f"ratio_text={s / floors['text'][0]:.2f} pages={pages} units=40 polls=5 agenda=10"
    )


def _pages(pdf: bytes) -> int:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


if __name__ == "__main__":
    main()
