"""Award services lock only the rows they change (PostgreSQL, issue 14): a score-sheet save in
progress never makes a sibling sheet's save wait, and recording a decision never holds up the
award title, the units, or another award of the same title."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from awards import services
from awards.models import Award, AwardTitle, ScoreSheet, ScoringScheme
from blocs.models import Unit
from tests.locking import in_other_connection

from .conftest import leaves, make_scheme

pytestmark = [pytest.mark.postgres]


def _entries(sheet, value=Decimal(20)):
    return {c.pk: {"value": value, "evidence": "Báo cáo số 1"} for c in leaves(sheet.scheme)[:2]}


@pytest.mark.django_db(transaction=True)
def test_a_score_sheet_save_in_progress_does_not_hold_up_a_sibling_sheet(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    a, b = list(ScoreSheet.objects.filter(scheme=scheme).order_by("pk"))[:2]
    with transaction.atomic():
        services.sheet_self_assess(sheet=a, entries=_entries(a))  # its locks held until we leave
        sibling = in_other_connection(
            lambda: services.sheet_self_assess(sheet=b, entries=_entries(b, Decimal(15)))
        )
        scheme_row = in_other_connection(
            lambda: ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
        )
        unit_row = in_other_connection(lambda: Unit.objects.select_for_update().get(pk=a.unit_id))
        same_row = in_other_connection(lambda: ScoreSheet.objects.select_for_update().get(pk=a.pk))
    assert (sibling, scheme_row, unit_row) == ("ok", "ok", "ok")
    assert same_row == "waited"  # the test can see a lock: the sheet being saved is locked
    assert set(b.scores.exclude(self_value=None).values_list("self_value", flat=True)) == {
        Decimal(15)
    }


@pytest.mark.django_db(transaction=True)
def test_recording_a_decision_does_not_hold_up_the_title_the_unit_or_another_award(world, co):
    first = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    other = services.award_create(
        bloc_year=world.other_bloc_year,
        award_title=co,
        unit=world.other_bloc_year.memberships.first().unit,
    )

    def decide(award, number):
        return services.award_record_decision(
            awards=[award],
            decision_number=number,
            decision_date=dt.date(2025, 1, 15),
            decision_issuer="Chủ tịch UBND tỉnh",
        )

    with transaction.atomic():
        decide(first, "15/QĐ-UBND")
        another = in_other_connection(lambda: decide(other, "16/QĐ-UBND"))
        title_row = in_other_connection(
            lambda: AwardTitle.objects.select_for_update().get(pk=co.pk)
        )
        unit_row = in_other_connection(
            lambda: Unit.objects.select_for_update().get(pk=world.units[0].pk)
        )
        same_row = in_other_connection(lambda: Award.objects.select_for_update().get(pk=first.pk))
    assert (another, title_row, unit_row) == ("ok", "ok", "ok")
    assert same_row == "waited"
    assert set(Award.objects.values_list("decision_number", flat=True)) == {
        "15/QĐ-UBND",
        "16/QĐ-UBND",
    }
