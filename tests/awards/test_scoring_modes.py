"""The score-sheet services enforce who may use which form (awards.access.sheet_modes) themselves,
with the refusal the sheet page shows, whoever calls them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards import services
from awards.models import CrossScore, Score, ScoreSheet, ScoringScheme
from tests.factories import UserFactory, grant

from .conftest import leaves, make_scheme, self_assess

REFUSED = "Bạn không được chấm ở bước này."


def _status(sheet):
    return ScoreSheet.objects.get(pk=sheet.pk).status


def test_a_delegate_cannot_self_assess_another_units_sheet(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[2])  # the delegate acts for units[1]
    first = leaves(scheme)[0]
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.sheet_self_assess(
            sheet=sheet, entries={first.pk: {"value": Decimal(20)}}, actor=world.delegate
        )
    assert Score.objects.get(sheet=sheet, criterion=first).self_value is None
    services.sheet_self_assess(
        sheet=scheme.sheets.get(unit=world.units[1]),
        entries={first.pk: {"value": Decimal(20)}},
        actor=world.delegate,
    )
    assert Score.objects.get(sheet__unit=world.units[1], criterion=first).self_value == 20


def test_a_submitted_sheet_refuses_self_assessment_with_the_status_message_first(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    with pytest.raises(ValidationError, match="Phiếu đã nộp; không thể sửa điểm tự chấm."):
        services.sheet_self_assess(sheet=sheet, entries={}, actor=world.delegate)


def test_only_the_office_the_secretary_or_a_reviewing_unit_reviews_a_sheet(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.sheet_review(sheet=sheet, entries={}, actor=world.delegate)
    # Claiming to review as the leader unit, without acting for it.
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.sheet_review(
            sheet=sheet, entries={}, reviewer_unit=world.units[0], actor=world.delegate
        )
    assert _status(sheet) == ScoreSheet.Status.SUBMITTED
    leader_delegate = UserFactory(username="khoi-truong")
    grant(leader_delegate, "delegate", world.units[0])
    services.sheet_review(
        sheet=sheet, entries={}, reviewer_unit=world.units[0], actor=leader_delegate
    )
    assert _status(sheet) == ScoreSheet.Status.REVIEWED
    services.sheet_review(sheet=sheet, entries={}, actor=world.secretary)


def test_a_cross_score_is_saved_only_for_a_unit_the_actor_acts_for(world):
    scheme = make_scheme(world.bloc_year, method=ScoringScheme.Method.CROSS, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    first = leaves(scheme)[0]
    entries = {first.pk: {"value": Decimal(20)}}
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.cross_score_save(
            sheet=sheet, scorer_unit=world.units[2], entries=entries, actor=world.delegate
        )
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.cross_score_save(
            sheet=sheet, scorer_unit=world.units[2], entries=entries, actor=world.office
        )
    assert not CrossScore.objects.exists()
    services.cross_score_save(
        sheet=sheet, scorer_unit=world.units[1], entries=entries, actor=world.delegate
    )
    assert list(CrossScore.objects.values_list("scorer_unit", "value")) == [
        (world.units[1].pk, Decimal(20))
    ]


def test_only_the_sheets_unit_explains_and_only_who_runs_the_bloc_applies_and_locks(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    services.sheet_review(sheet=sheet, entries={})
    first = leaves(scheme)[0]
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.sheet_explain(sheet=sheet, entries={first.pk: "Giải trình"}, actor=world.outsider)
    services.sheet_explain(sheet=sheet, entries={first.pk: "Giải trình"}, actor=world.delegate)
    assert Score.objects.get(sheet=sheet, criterion=first).explanation == "Giải trình"
    with pytest.raises(PermissionDenied):
        services.sheet_lock(sheet=sheet, actor=world.delegate)
    assert _status(sheet) == ScoreSheet.Status.REVIEWED
    services.sheet_lock(sheet=sheet, actor=world.secretary)
    assert _status(sheet) == ScoreSheet.Status.LOCKED


def test_a_delegate_cannot_apply_the_cross_scores_or_submit_another_units_sheet(world):
    scheme = make_scheme(world.bloc_year, method=ScoringScheme.Method.CROSS, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    first = leaves(scheme)[0]
    services.cross_score_save(
        sheet=sheet, scorer_unit=world.units[1], entries={first.pk: {"value": Decimal(20)}}
    )
    with pytest.raises(PermissionDenied):
        services.cross_scores_apply(sheet=sheet, actor=world.delegate)
    assert _status(sheet) == ScoreSheet.Status.SUBMITTED
    services.cross_scores_apply(sheet=sheet, actor=world.office)
    assert _status(sheet) == ScoreSheet.Status.REVIEWED
    other = self_assess(scheme.sheets.get(unit=world.units[2]), submit=False)
    with pytest.raises(PermissionDenied, match="Bạn chỉ thao tác được cho đơn vị của mình."):
        services.sheet_submit(sheet=other, actor=world.delegate)
    assert _status(other) == ScoreSheet.Status.DRAFT
