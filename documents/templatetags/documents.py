"""Filters for print templates (Nghị định 30/2020/NĐ-CP conventions)."""

from __future__ import annotations

from django import template

from legal.formats import nd30_date_text

register = template.Library()


@register.filter
def nd30_date(value) -> str:
    return nd30_date_text(value)


@register.filter
def vn_number(value, places: int = 0) -> str:
    """1234.5 -> "1.234,5" (Vietnamese separators)."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{int(places)}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


@register.simple_tag
def current_version(kind: str, subject):
    """The latest locked version of a subject's document (without its PDF bytes), or None: other
    apps' pages offer the next step (lock it, attach the signed scan) without importing this app."""
    from documents import services

    return services.versions_of(kind, subject).defer("pdf").last()


@register.simple_tag
def finalize_offer(kind: str, subject):
    """The lock offer for another app's page: number, missing facts, prefilled closing time."""
    from documents import services

    return services.finalize_offer(kind, subject)
