"""Propose and confirm the merger of a national-scale province into another (issue 17).

Usage: .venv/bin/python bench/merge_province.py [--quick]   (against DATABASE_URL; data rolled back)

Two provinces of `khoithidua.national.generate` (20 blocs × 10 units × 5 years each, the last
year after the merger date). The receiving province typed half of its unit codes differently
(matched by name similarity), the other half like the merged one (matched by code), and has
not opened the year after the merger: the merged province's year moves into it. Timed:
recording the merger, the proposal (every unit and bloc matched, the page's data) and the
confirmation with the proposed choices (lineage, successor blocs, the later year moved).
`queries` counts the SQL statements of the three steps. Target: s < 5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from _common import Rollback, analyze, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blocs import merger as m  # noqa: E402
from blocs.models import BlocYear, LeadershipTerm, Membership, Organizer, Unit  # noqa: E402
from khoithidua import national  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    blocs = 4 if args.quick else 20
    day = dt.date(2025, 7, 1)
    out = {}
    try:
        with transaction.atomic():
            national.generate(
                provinces=2, blocs=blocs, units=10, years=5, first_year=2022, meetings=False
            )
            target, source = Organizer.objects.filter(code__startswith="nat-").order_by("code")
            retyped = [
                u
                for u in Unit.objects.filter(organizer=target).order_by("code")
                if int(u.code.split("-")[1]) % 2
            ]
            for u in retyped:
                u.code = "b" + u.code
            Unit.objects.bulk_update(retyped, ["code"])
            # The receiving province has not opened 2026 yet: the merged province's 2026
            # years move into its blocs.
            late = BlocYear.objects.filter(bloc__organizer=target, year=2026)
            LeadershipTerm.objects.filter(bloc_year__in=late).delete()
            Membership.objects.filter(bloc_year__in=late).delete()
            late.delete()
            analyze()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                merger = m.merger_record(
                    source=source, target=target, effective_date=day, basis="Nghị quyết (đo)"
                )
                t1 = time.perf_counter()
                proposal = m.merger_proposal(merger=merger)
                t2 = time.perf_counter()
                units = {
                    row.obj.pk: m.Choice(
                        row.default, row.default_target.pk if row.default_target else None
                    )
                    for row in proposal.units
                }
                bloc_choices = {
                    row.obj.pk: m.Choice(
                        row.default, row.default_target.pk if row.default_target else None
                    )
                    for row in proposal.blocs
                }
                m.merger_confirm(merger=merger, units=units, blocs=bloc_choices)
                t3 = time.perf_counter()
            merger.refresh_from_db()
            out.update(
                units=len(proposal.units),
                linked=merger.summary["units"]["linked"],
                created=merger.summary["units"]["created"],
                years_moved=merger.summary["years_moved"],
                s=t3 - t0,
                record_s=t1 - t0,
                propose_s=t2 - t1,
                confirm_s=t3 - t2,
                queries=len(queries),
            )
            raise Rollback
    except Rollback:
        pass
    print(
        f"database {connection.vendor}; {blocs} blocs × 10 units × 5 years; "
        f"{out['linked']} units linked, {out['created']} new, {out['years_moved']} years moved"
    )
    print(
        f"RESULT merge_province units={out['units']} s={out['s']:.2f} queries={out['queries']} "
        f"propose_s={out['propose_s']:.2f} confirm_s={out['confirm_s']:.2f}"
    )


if __name__ == "__main__":
    main()
