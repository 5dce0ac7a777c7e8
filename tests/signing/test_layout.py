"""Signature fields go where the document prints its signature blocks: read off WeasyPrint's
layout, never from coordinates written in the code."""

from __future__ import annotations

import subprocess

import pytest

from documents.models import DocumentVersion
from signing import services
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


def test_the_minutes_signature_blocks_are_the_spaces_under_their_titles(version):
    boxes = services.layout_boxes(version)

    assert [(b.role, b.label, b.name) for b in boxes] == [
        ("secretary", "Thư ký", "Lê Minh Đức"),
        ("chair", "Chủ trì", "Nguyễn Văn Hùng"),
    ]
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


def test_a_version_finalized_before_boxes_were_stored_gets_them_from_its_layout_once(version):
    stored = list(version.signature_boxes)
    DocumentVersion.objects.filter(pk=version.pk).update(signature_boxes=[])  # an older version
    older = DocumentVersion.objects.get(pk=version.pk)

    boxes = services.layout_boxes(older)

    assert [b.as_dict() for b in boxes] == stored
    cached = VersionLayout.objects.get(version=older)
    assert cached.exact  # re-rendering the snapshot gave the finalized PDF byte for byte
    with_cache = services.layout_boxes(older)
    assert with_cache == boxes
