"""The báo cáo kết quả PDF carries the ranking chart, inside the NĐ 30/2020 margins, in black
and white, drawn from the document's own snapshot (so a finalized PDF stays byte-identical)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from documents import services as doc_services
from documents.models import Kind
from tests.documents.pdftools import text

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils missing")

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "charts"
MM = 72 / 25.4  # PDF points per millimetre


def _page_png(pdf: bytes, dpi: int = 70) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile"]
            + [str(src), str(Path(tmp) / "page")],
            check=True,
            capture_output=True,
        )
        return Image.open(Path(tmp) / "page.png").convert("RGB").copy()


def test_report_pdf_has_the_ranking_chart_inside_the_margins_in_black_and_white(ranked):
    pdf = doc_services.draft_pdf(Kind.REPORT, ranked)
    words = text(pdf, layout=True)
    assert "Biểu đồ xếp hạng năm 2024" in words
    # the chart's category labels: rank, shared rank, unit, as the table above it
    first = ranked.memberships.order_by("unit__id").first().unit.name
    assert f"1 · {first}" in words
    assert "3= · " in words
    assert "Điểm chuẩn" in words and "Cộng / trừ" in words  # the legend
    page = _page_png(pdf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.save(SHOTS / "report-page1.png")
    # everything drawn on page 1 (text, table and chart) is inside the margins:
    # left 30 mm, right 15 mm, top 20 mm (the page number is not on page 1)
    width_px, height_px = page.size
    px_per_mm = width_px / 210
    gray = page.convert("L").point(lambda v: 255 if v < 245 else 0)
    left, top, right, bottom = gray.getbbox()
    assert left >= 30 * px_per_mm - 1
    assert right <= (210 - 15) * px_per_mm + 1
    assert top >= 20 * px_per_mm - 1
    # black and white safe: no saturated colour anywhere on the page
    colours = {rgb for _n, rgb in page.getcolors(1 << 24) if max(rgb) - min(rgb) > 40}
    assert colours == set()


def test_the_same_report_renders_to_the_same_bytes_with_its_chart(ranked):
    snapshot = doc_services.draft_snapshot(Kind.REPORT, ranked)
    assert doc_services.snapshot_pdf(Kind.REPORT, snapshot) == doc_services.snapshot_pdf(
        Kind.REPORT, snapshot
    )


def test_a_report_without_scores_prints_no_chart(world):
    pdf = doc_services.draft_pdf(Kind.REPORT, world.bloc_year)
    assert "Biểu đồ xếp hạng" not in text(pdf)
