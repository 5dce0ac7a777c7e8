"""The charts of each page, by name: the page and its SVG/PNG export build them the same way."""

from __future__ import annotations

from django.urls import reverse

from awards.ranking import Ranking

from . import builders as b
from . import data
from .svg import Chart


def ranking_charts(bloc_year, ranking: Ranking | None) -> dict[str, Chart]:
    if ranking is None or not ranking.rows:
        return {}
    d = data.ranking_data(bloc_year, ranking)
    charts = {"ranking": b.ranking_chart(d), "self_score": b.self_score_chart(d)}
    for name, chart in charts.items():
        chart.export_url = reverse("charts:ranking_export", args=[bloc_year.pk, name])
    return charts


def unit_charts(unit, lineage, memberships=None) -> dict[str, Chart]:
    d = data.unit_years_data(unit, lineage, memberships)
    if not any(y.total is not None or y.awards for y in d.years):
        return {}
    chart = b.unit_years_chart(d)
    chart.export_url = reverse("charts:unit_export", args=[unit.pk])
    return {"years": chart}


def poll_charts(poll, outcome) -> dict[str, Chart]:
    from meetings.services import poll_rule

    d = data.votes_data(poll, outcome, poll_rule(poll))
    if d is None:
        return {}
    chart = b.votes_chart(d)
    chart.export_url = reverse("charts:poll_export", args=[poll.pk])
    return {"votes": chart}


def overview_query(year: int, organizer_id: int | None) -> str:
    """The overview's filters as a query string (its page, its panel, its exports)."""
    return f"?year={year}" + (f"&organizer={organizer_id}" if organizer_id else "")


def overview_charts(user, *, year: int, organizer_id: int | None) -> dict:
    result = data.overview_charts(user, year=year, organizer_id=organizer_id)
    result["year"] = year
    query = overview_query(year, organizer_id)
    for name in ("stages", "late", "awards"):
        result[name].export_url = reverse("charts:overview_export", args=[name]) + query
    return result
