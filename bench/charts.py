"""Charts: the ranking chart of a 40-unit × 60-criteria bloc-year and the province overview at
national scale (34 provinces × 20 blocs × 10 units × 5 years), next to the pages without them.

Usage: .venv/bin/python bench/charts.py [--quick]   (against DATABASE_URL; data rolled back)
Prints: RESULT charts ranking_p95_ms=… overview_p95_ms=… floor_p95_ms=… …

- ranking_p95_ms: the ranking chart (quota cut-offs read, stacked bars built, SVG rendered and
  cleaned) from the ranking the page computes anyway; self_score_p95_ms: the second chart.
- overview_p95_ms: the overview for the superuser (every province): the one aggregate query, the
  awards count, the three charts rendered.
- overview_cpu_p50_ms / overview_cpu_p95_ms: the same overview in CPU time of this process
  (time.process_time: Python, not PostgreSQL); on a shared, loaded machine wall times grow with
  the run queue, this does not, so it compares runs taken under different loads.
- floor_p95_ms: the ranking page WITHOUT its charts (same request, charts switched off);
  ranking_page_p95_ms: the same page with them. dashboard_p95_ms / floor_dashboard_p95_ms: the
  dashboard of the superuser with and without the overview.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import time

from _common import Rollback, p50, p95, setup_django, timed

os.environ.setdefault("BALLOT_KEY", "bench-" + secrets.token_urlsafe(32))
setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from ranking import build as build_ranking  # noqa: E402  (bench/ranking.py: 40 × 60)

from awards.catalog import ensure_catalog  # noqa: E402
from awards.models import Award, AwardTitle, Deadline, ScoringScheme  # noqa: E402
from awards.ranking import compute_ranking  # noqa: E402
from blocs.models import BlocYear, Membership  # noqa: E402
from charts import pages  # noqa: E402
from khoithidua.national import generate  # noqa: E402


def national(quick: bool) -> int:
    """National registry data, plus awards and deadlines for the overview's year."""
    years = 2 if quick else 5
    generate(provinces=8 if quick else 34, blocs=20, units=10, years=years, meetings=True)
    year = timezone.localdate().year - 1  # a past year: year-end meetings held, deadlines due
    ensure_catalog()
    titles = list(
        AwardTitle.objects.filter(code__in=["co-thi-dua-ubnd-tinh", "bang-khen-chu-tich-ubnd-tinh"])
    )
    rng = random.Random(16)
    bloc_years = list(BlocYear.objects.filter(year=year, bloc__organizer__code__startswith="nat-"))
    first_unit = {
        m.bloc_year_id: m.unit_id
        for m in Membership.objects.filter(bloc_year__in=bloc_years).order_by("-unit_id")
    }
    awards, deadlines = [], []
    for by in bloc_years:
        for t in titles:
            if rng.random() < 0.7:
                awards.append(
                    Award(
                        bloc_year=by,
                        award_title=t,
                        unit_id=first_unit[by.pk],
                        year=year,
                        status=Award.Status.PROPOSED,
                    )
                )
        deadlines.append(
            Deadline(bloc_year=by, kind=Deadline.Kind.REGISTRATION, due_on=dt.date(year, 3, 1))
        )
        if rng.random() < 0.5:
            deadlines.append(
                Deadline(
                    bloc_year=by,
                    kind=Deadline.Kind.PROPOSAL,
                    due_on=dt.date(year, 12, 10),
                    done_on=dt.date(year, 12, 8) if rng.random() < 0.8 else None,
                )
            )
    Award.objects.bulk_create(awards, batch_size=2000)
    Deadline.objects.bulk_create(deadlines, batch_size=2000)
    return year


def timed_cpu(fn, n: int) -> list[float]:
    """Like _common.timed, in CPU time of this process (ms)."""
    out = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 20 if args.quick else 100
    results: dict[str, float | int] = {}
    try:
        with transaction.atomic():
            bloc_year = build_ranking()
            year = national(args.quick)
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
            admin = get_user_model().objects.create_superuser("bench-charts", "b@x.vn", "x")
            client = Client()
            client.force_login(admin)

            scheme = ScoringScheme.objects.get(bloc_year=bloc_year)
            ranking = compute_ranking(scheme)

            def ranking_chart():
                str(pages.ranking_charts(bloc_year, ranking)["ranking"].inline_svg)

            def self_score_chart():
                str(pages.ranking_charts(bloc_year, ranking)["self_score"].inline_svg)

            def overview():
                charts = pages.overview_charts(admin, year=year, organizer_id=None)
                for name in ("stages", "late", "awards"):
                    str(charts[name].inline_svg)

            ranking_url = f"/years/{bloc_year.pk}/ranking/"
            dashboard_url = f"/?year={year}"

            def get(url):
                def call():
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                return call

            for fn in (ranking_chart, overview, get(ranking_url), get(dashboard_url)):
                fn()  # warm-up: imports, template loading
            charts = pages.overview_charts(admin, year=year, organizer_id=None)
            results["overview_blocs"] = len(charts["rows"])
            results["overview_award_rows"] = len(charts["awards"].categories)
            with CaptureQueriesContext(connection) as ctx:
                overview()
            results["overview_queries"] = len(ctx)

            t_rank = timed(ranking_chart, n)
            t_self = timed(self_score_chart, n)
            t_over = timed(overview, max(10, n // 2))
            t_over_cpu = timed_cpu(overview, max(10, n // 2))
            t_page = timed(get(ranking_url), n)
            t_dash = timed(get(dashboard_url), max(10, n // 2))
            # the same pages with the charts switched off (the template tags then get nothing)
            real_ranking, real_overview = pages.ranking_charts, pages.overview_charts
            pages.ranking_charts = lambda *a, **k: {}
            pages.overview_charts = lambda *a, **k: None
            try:
                html = client.get(ranking_url).content.decode()
                assert "xep-hang-" not in html
                t_floor = timed(get(ranking_url), n)
                t_floor_dash = timed(get(dashboard_url), max(10, n // 2))
            finally:
                pages.ranking_charts, pages.overview_charts = real_ranking, real_overview
            results.update(
                ranking_p95_ms=round(p95(t_rank), 1),
                ranking_p50_ms=round(p50(t_rank), 1),
                self_score_p95_ms=round(p95(t_self), 1),
                overview_p95_ms=round(p95(t_over), 1),
                overview_p50_ms=round(p50(t_over), 1),
                overview_cpu_p50_ms=round(p50(t_over_cpu), 1),
                overview_cpu_p95_ms=round(p95(t_over_cpu), 1),
                floor_p95_ms=round(p95(t_floor), 1),
                ranking_page_p95_ms=round(p95(t_page), 1),
                floor_dashboard_p95_ms=round(p95(t_floor_dash), 1),
                dashboard_p95_ms=round(p95(t_dash), 1),
            )
            raise Rollback
    except Rollback:
        pass
    print(
        "RESULT charts "
        + " ".join(
            f"{k}={results[k]}"
            for k in (
                "ranking_p95_ms",
                "overview_p95_ms",
                "floor_p95_ms",
                "ranking_page_p95_ms",
                "self_score_p95_ms",
                "ranking_p50_ms",
                "overview_p50_ms",
                "overview_cpu_p50_ms",
                "overview_cpu_p95_ms",
                "dashboard_p95_ms",
                "floor_dashboard_p95_ms",
                "overview_queries",
                "overview_blocs",
                "overview_award_rows",
            )
        )
    )


if __name__ == "__main__":
    main()
