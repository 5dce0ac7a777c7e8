"""Poppler helpers for checking PDFs the way a reader would."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def _run(args: list[str], pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [*args, f.name, *(["-"] if args[0] == "pdftotext" else [])],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def text(
    pdf: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _run(args, pdf)


def info(pdf: bytes) -> dict[str, str]:
    out = {}
    for line in _run(["pdfinfo"], pdf).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def fonts(pdf: bytes) -> list[dict[str, str]]:
    lines = _run(["pdffonts"], pdf).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni objectID gen: take from the right
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def page_count(pdf: bytes) -> int:
    return int(info(pdf)["Pages"])


def write_tmp(pdf: bytes) -> Path:
    path = Path(tempfile.mkstemp(suffix=".pdf")[1])
    path.write_bytes(pdf)
    return path
