"""Template tags that put a page's charts in its context, so that a page adds one include.

{% include "charts/ranking.html" %}   (context: bloc_year, ranking)
{% include "charts/unit.html" %}      (context: unit, merged_from)
{% include "charts/poll.html" %}      (context: poll, outcome)
"""

from __future__ import annotations

from django import template

from .. import pages

register = template.Library()


@register.simple_tag
def ranking_charts(bloc_year, ranking):
    return pages.ranking_charts(bloc_year, ranking)


@register.simple_tag
def unit_charts(unit, merged_from=None, rows=None):
    """`rows`: the unit page's history rows; their memberships save the chart two queries."""
    memberships = [r["membership"] for r in rows] if rows is not None else None
    return pages.unit_charts(unit, [unit, *(merged_from or [])], memberships)


@register.simple_tag
def poll_charts(poll, outcome):
    return pages.poll_charts(poll, outcome)


@register.simple_tag
def report_ranking_chart(doc):
    """The ranking chart of a báo cáo kết quả snapshot (None when it has no scores)."""
    from ..builders import report_ranking_chart as build
    from ..data import report_rows

    rows = report_rows(doc.get("scores") or [])
    if not rows:
        return None
    return build(key=str(doc.get("number", "") or "bc"), year=doc["bloc"]["year"], rows=rows)
