"""DOCX export (python-docx) with the print layout; filled in below."""

from __future__ import annotations


def to_docx(kind: str, snapshot: dict, *, stamp: dict | None = None) -> bytes:
    raise NotImplementedError
