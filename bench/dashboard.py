"""Dashboard at national scale (page 1 and the last page) vs a trivial logged-in view (the
floor), and query counts. ANALYZE runs after loading, as autovacuum would have in production.

Usage: .venv/bin/python bench/dashboard.py [--quick]   (against DATABASE_URL; data rolled back)
"""

from __future__ import annotations

import argparse
import math

from _common import Rollback, p95, setup_django, timed

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from blocs.models import Organizer, RoleAssignment  # noqa: E402
from khoithidua.national import generate  # noqa: E402
from khoithidua.views import PAGE_SIZE  # noqa: E402


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 40 if args.quick else 200
    scale = (
        dict(provinces=6, blocs=20, units=10, years=5)
        if args.quick
        else dict(provinces=34, blocs=20, units=10, years=5)
    )
    results = {}
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser("bench-admin", "b@example.org", "x")
            staff = get_user_model().objects.create_user("bench-office", password="x")
            client = Client()
            client.force_login(user)
            office = Client()
            office.force_login(staff)
            # Small: 10 blocs.
            generate(provinces=1, blocs=10, units=10, years=5)
            results["queries_small"] = count_queries(client, "/")
            Organizer.objects.filter(code__startswith="nat-").update(
                code="small-" + "x"
            )  # free the prefix
            counts = generate(**scale)
            RoleAssignment.objects.create(
                user=staff, role="office", organizer=Organizer.objects.get(code="nat-00")
            )
            # Statistics as production has them (autovacuum would have analyzed these tables).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            results["queries_large"] = count_queries(client, "/")
            last = f"/?page={math.ceil((counts['blocs'] + 10) / PAGE_SIZE)}"
            results["queries_last"] = count_queries(client, last)
            # The province overview panel that the dashboard loads after itself (htmx), for the
            # whole country (superuser) and for one province (office staff).
            year = timezone.localdate().year
            panel = f"/charts/overview/panel/?year={year}"
            hx = {"HX-Request": "true"}
            assert client.get(panel, headers=hx).status_code == 200
            assert office.get(panel, headers=hx).status_code == 200
            for c, url in ((client, "/"), (client, last), (client, "/ping/"), (office, "/")):
                c.get(url)  # warm up
            results["p95_ms"] = p95(timed(lambda: client.get("/"), n))
            results["last_p95_ms"] = p95(timed(lambda: client.get(last), n))
            results["office_p95_ms"] = p95(timed(lambda: office.get("/"), n))
            results["filtered_p95_ms"] = p95(
                timed(lambda: client.get("/?level=province&year=2024&page=3"), n)
            )
            results["panel_p95_ms"] = p95(timed(lambda: client.get(panel, headers=hx), n))
            results["office_panel_p95_ms"] = p95(timed(lambda: office.get(panel, headers=hx), n))
            results["floor_p95_ms"] = p95(timed(lambda: client.get("/ping/"), n))
            results["blocs"] = counts["blocs"] + 10
            raise Rollback
    except Rollback:
        pass
    ratio = results["p95_ms"] / results["floor_p95_ms"]
    last_ratio = results["last_p95_ms"] / results["p95_ms"]
    print(f"scale: {results['blocs']} blocs, {n} requests per view, database {connection.vendor}")
    print("targets: p95 < 100 ms on every page, the last page < 3x page 1 (issue 15)")
    print("the overview panel (panel_*) is the dashboard's second request, loaded by htmx")
    print(
        "RESULT dashboard "
        f"p95_ms={results['p95_ms']:.1f} last_p95_ms={results['last_p95_ms']:.1f} "
        f"last_ratio={last_ratio:.2f} queries_last={results['queries_last']} "
        f"floor_p95_ms={results['floor_p95_ms']:.1f} ratio={ratio:.1f} "
        f"office_p95_ms={results['office_p95_ms']:.1f} filtered_p95_ms={results['filtered_p95_ms']:.1f} "
        f"panel_p95_ms={results['panel_p95_ms']:.1f} office_panel_p95_ms={results['office_panel_p95_ms']:.1f} "
        f"queries_small={results['queries_small']} queries_large={results['queries_large']} blocs={results['blocs']}"
    )


if __name__ == "__main__":
    main()
