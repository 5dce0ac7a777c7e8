"""Dates the way Vietnamese administrative documents write them (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

import datetime as dt


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None


def nd30_date_text(value) -> str:
    """ "ngày 05 tháng 12 năm 2025": days below 10 and months 1–2 are zero-padded."""
    d = as_date(value)
    if d is None:
        return "ngày      tháng      năm      "
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def short_date(value) -> str:
    """ "05/12/2025"."""
    d = as_date(value)
    return d.strftime("%d/%m/%Y") if d else ""
