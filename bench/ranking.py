"""The ranking page of a 40-unit bloc with 60 criteria, against the trivial logged-in view.

Usage: .venv/bin/python bench/ranking.py [--quick]   (against DATABASE_URL; data rolled back)
Prints: RESULT ranking p95_ms=… floor_p95_ms=… queries=…
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal

from _common import Rollback, analyze, p50, p95, setup_django, timed

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from awards import services  # noqa: E402
from awards.models import Criterion, Score, ScoreSheet  # noqa: E402
from blocs.models import Bloc, BlocYear, Membership, Organizer, Unit  # noqa: E402

UNITS, GROUPS, PER_GROUP = 40, 6, 10  # 60 criteria


def build() -> BlocYear:
    org = Organizer.objects.create(
        code="bench-ranking", name="UBND tỉnh Đo Hiệu Năng", place_name="Đo Hiệu Năng"
    )
    bloc = Bloc.objects.create(organizer=org, code="khoi-40", name="Khối 40 đơn vị")
    bloc_year = BlocYear.objects.create(bloc=bloc, year=2024)
    units = Unit.objects.bulk_create(
        Unit(organizer=org, code=f"u{i:02d}", name=f"Đơn vị {i:02d}") for i in range(UNITS)
    )
    Membership.objects.bulk_create(Membership(bloc_year=bloc_year, unit=u) for u in units)
    scheme = services.scheme_for(bloc_year, create=True)
    scheme.total_scale = Decimal(GROUPS * PER_GROUP * 2)
    scheme.save()
    for g in range(GROUPS):
        group = Criterion.objects.create(
            scheme=scheme, code=str(g + 1), title=f"Nhóm {g + 1}", kind="group", position=g
        )
        Criterion.objects.bulk_create(
            Criterion(
                scheme=scheme,
                parent=group,
                code=f"{g + 1}.{c + 1}",
                title=f"Tiêu chí {g + 1}.{c + 1}",
                kind="points",
                max_score=Decimal(2),
                position=c,
            )
            for c in range(PER_GROUP)
        )
    services.scoring_open(bloc_year=bloc_year)
    rng = random.Random(7)
    scores = list(Score.objects.filter(sheet__scheme=scheme))
    for s in scores:
        s.self_value = Decimal(rng.choice(["1", "1.5", "2"]))
        s.review_value = s.self_value if rng.random() < 0.9 else s.self_value - Decimal("0.5")
        s.review_reason = "" if s.review_value == s.self_value else "Thiếu minh chứng"
    Score.objects.bulk_update(
        scores, ["self_value", "review_value", "review_reason"], batch_size=1000
    )
    ScoreSheet.objects.filter(scheme=scheme).update(status=ScoreSheet.Status.REVIEWED)
    return bloc_year


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 40 if args.quick else 200
    results = {}
    try:
        with transaction.atomic():
            bloc_year = build()
            analyze()
            user = get_user_model().objects.create_superuser("bench-ranking", "b@example.org", "x")
            client = Client()
            client.force_login(user)
            url = f"/years/{bloc_year.pk}/ranking/"
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, response.status_code
            assert response.content.decode().count('href="/sheets/') == UNITS
            results["queries"] = len(ctx.captured_queries)
            client.get("/ping/")
            results["times"] = timed(lambda: client.get(url), n)
            results["floor"] = timed(lambda: client.get("/ping/"), n)
            raise Rollback
    except Rollback:
        pass
    print(
        f"scale: {UNITS} units × {GROUPS * PER_GROUP} criteria, {n} requests per view, database {connection.vendor}"
    )
    print(f"ranking p50_ms={p50(results['times']):.1f}, floor p50_ms={p50(results['floor']):.1f}")
    print(
        "RESULT ranking "
        f"p95_ms={p95(results['times']):.1f} floor_p95_ms={p95(results['floor']):.1f} queries={results['queries']}"
    )


if __name__ == "__main__":
    main()
