"""Signature fields go where the document prints its signature blocks: read off WeasyPrint's
layout, never from coordinates written in the code."""

from __future__ import annotations

import subprocess

import pytest
from weasyprint import HTML

from documents import rendering
from signing.layout import boxes_from_document, render_boxes
from signing.models import VersionLayout
from tests.documents import pdftools

pytestmark = pytest.mark.django_db


def word_boxes(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, x1, y1, x2, y2) in PDF points with y from the bottom, as poppler reads them."""
    path = pdftools.write_tmp(pdf)
    try:
        html = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        path.unlink()
    import re

    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    words = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    ):
        x1, y1, x2, y2, word = m.groups()
        words.append((word, float(x1), height - float(y2), float(x2), height - float(y1)))
    return words


def test_the_minutes_signature_blocks_are_found_in_the_layout_under_their_titles(version):
    VersionLayout.objects.filter(version=version).delete()

    boxes, exact = render_boxes(version)

    assert exact  # re-rendering the snapshot gave the finalized PDF byte for byte
    assert [b.role for b in boxes] == ["THƯ KÝ", "CHỦ TRÌ HỘI NGHỊ"]
    assert boxes[0].name == "Lê Minh Đức"
    words = word_boxes(version.pdf_bytes, boxes[0].page + 1)
    for box, title_word, name_word in ((boxes[0], "KÝ", "Đức"), (boxes[1], "NGHỊ", None)):
        title = next(w for w in words if w[0] == title_word and box.x <= w[1] <= box.x + box.width)
        assert title[2] >= box.y + box.height  # the title is above the space …
        assert title[2] - (box.y + box.height) < 40  # … just above it
        if name_word:
            name = next(
                w for w in words if w[0] == name_word and box.x <= w[1] <= box.x + box.width
            )
            assert name[4] <= box.y  # the name is below it
    # Side by side, on the same line, the secretary on the left.
    assert boxes[0].y == boxes[1].y and boxes[0].x + boxes[0].width <= boxes[1].x


def test_an_element_marked_data_sign_role_is_a_box_wherever_it_is():
    html = (
        "<html><head><style>@page { size: A4; margin: 0 } body, p { margin: 0 }</style></head>"
        "<body><p style='height:300px'>Văn bản</p>"
        "<div data-sign-role='Người ký' data-sign-name='Trần Văn A' "
        "style='margin-left:96px;width:192px;height:96px'></div></body></html>"
    )
    document = HTML(string=html, base_url=rendering.PRINT_BASE_URL).render()

    (box,) = boxes_from_document(document)

    assert (box.role, box.name, box.page) == ("NGƯỜI KÝ", "Trần Văn A", 0)
    assert (box.x, box.width, box.height) == (72, 144, 72)  # 96 px = 1 in = 72 pt
    assert box.y + box.height == pytest.approx(841.89 - 225, abs=0.01)  # 300 px from the top
