"""Scoring: criteria table, self-assessment, review, cross-scoring with a trimmed mean,
explanation, locks, and the ranking with ties, group subtotals and the bonus cap."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import services
from awards.models import Criterion, Score, ScoreSheet, ScoringScheme
from awards.ranking import compute_ranking, ranking_for
from blocs.services import bloc_year_create
from tests.factories import make_bloc_year

from .conftest import finish, leaves, make_scheme, self_assess


def test_opening_scoring_gives_every_member_a_sheet_with_every_criterion(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    assert scheme.phase == ScoringScheme.Phase.OPEN
    assert scheme.sheets.count() == 8
    assert Score.objects.filter(sheet__scheme=scheme).count() == 8 * 6


def test_scoring_does_not_open_when_the_criteria_do_not_add_up_to_the_scale(world):
    scheme = make_scheme(world.bloc_year)
    scheme.total_scale = Decimal(90)
    scheme.save()
    with pytest.raises(ValidationError, match="khác thang điểm chuẩn"):
        services.scoring_open(bloc_year=world.bloc_year)
    assert not ScoreSheet.objects.exists()


def test_a_target_criterion_scores_actual_against_target(world):
    scheme = make_scheme(
        world.bloc_year, bonus=False, penalty=False, per_group=1, max_score=Decimal(50)
    )
    first = leaves(scheme)[0]
    services.criterion_save(
        scheme=scheme,
        criterion=first,
        parent=first.parent,
        code="1.1",
        title="Tỷ lệ giải quyết",
        kind=Criterion.Kind.TARGET,
        max_score=Decimal(50),
        target_value=Decimal(90),
        target_unit="%",
    )
    services.scoring_open(bloc_year=world.bloc_year)
    sheet = scheme.sheets.get(unit=world.units[0])
    services.sheet_self_assess(
        sheet=sheet, entries={first.pk: {"actual": Decimal(72), "evidence": "Báo cáo"}}
    )
    score = Score.objects.get(sheet=sheet, criterion=first)
    assert (score.actual_value, score.self_value) == (Decimal(72), Decimal(40))  # 50 × 72/90
    services.sheet_self_assess(sheet=sheet, entries={first.pk: {"actual": Decimal(99)}})
    assert Score.objects.get(pk=score.pk).self_value == Decimal(50)  # capped at the maximum


def test_criteria_can_be_copied_from_the_previous_year_and_edited_until_scoring_opens(world):
    make_scheme(world.bloc_year, bonus_cap=Decimal(7))
    later = bloc_year_create(bloc=world.bloc, year=2025)
    scheme = services.scheme_copy_previous(bloc_year=later)
    assert scheme.bonus_cap == Decimal(7)
    assert [c.code for c in scheme.criteria.filter(parent__isnull=True).order_by("position")] == [
        "G1",
        "G2",
        "X",
    ]
    assert scheme.criteria.filter(parent__isnull=False).count() == 6
    assert all(
        c.parent.scheme_id == scheme.pk for c in scheme.criteria.filter(parent__isnull=False)
    )
    first = leaves(scheme)[0]
    services.criterion_save(
        scheme=scheme,
        criterion=first,
        parent=first.parent,
        code="1.1",
        title="Đổi tên",
        kind="points",
        max_score=Decimal(25),
    )
    with pytest.raises(ValidationError, match="đã có tiêu chí"):
        services.scheme_copy_previous(bloc_year=later)


def test_cross_scores_become_the_agreed_score_by_a_trimmed_mean(world):
    scheme = make_scheme(
        world.bloc_year, method=ScoringScheme.Method.CROSS, trim_count=1, open_=True
    )
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    first = leaves(scheme)[0]
    values = [Decimal(v) for v in ("10", "18", "19", "20", "25")]  # 10 and 25 are dropped
    for scorer, value in zip(world.units[1:6], values, strict=True):
        reason = "" if value == 20 else "Theo minh chứng"
        services.cross_score_save(
            sheet=sheet, scorer_unit=scorer, entries={first.pk: {"value": value, "reason": reason}}
        )
    services.cross_scores_apply(sheet=sheet)
    score = Score.objects.get(sheet=sheet, criterion=first)
    assert score.review_value == Decimal("19.00")
    assert "bỏ 1 cao nhất và 1 thấp nhất" in score.review_reason
    untouched = Score.objects.get(sheet=sheet, criterion=leaves(scheme)[1])
    assert untouched.review_value == untouched.self_value and untouched.review_reason == ""


def test_a_cross_score_that_differs_from_the_self_score_needs_a_reason(world):
    scheme = make_scheme(world.bloc_year, method=ScoringScheme.Method.CROSS, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    first = leaves(scheme)[0]
    with pytest.raises(ValidationError, match="cần ghi lý do"):
        services.cross_score_save(
            sheet=sheet, scorer_unit=world.units[1], entries={first.pk: {"value": Decimal(12)}}
        )


def test_trimmed_mean_keeps_all_values_when_too_few_to_trim():
    assert services.trimmed_mean([Decimal(10), Decimal(20)], 1) == Decimal("15.00")
    assert services.trimmed_mean([Decimal(1), Decimal(2), Decimal(3), Decimal(100)], 1) == Decimal(
        "2.50"
    )


def test_the_unit_may_explain_after_review_and_the_reviewer_may_change_again(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    first = leaves(scheme)[0]
    services.sheet_review(
        sheet=sheet, entries={first.pk: {"value": Decimal(10), "reason": "Thiếu minh chứng"}}
    )
    services.sheet_explain(sheet=sheet, entries={first.pk: "Đã bổ sung Báo cáo số 12"})
    services.sheet_review(
        sheet=sheet,
        entries={first.pk: {"value": Decimal(18), "reason": "Chấp nhận giải trình một phần"}},
    )
    score = Score.objects.get(sheet=sheet, criterion=first)
    assert (score.review_value, score.explanation) == (Decimal(18), "Đã bổ sung Báo cáo số 12")
    services.sheet_lock(sheet=sheet)
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.LOCKED


def test_the_result_locks_only_when_every_sheet_is_locked(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheets = list(scheme.sheets.all())
    for sheet in sheets[:-1]:
        finish(self_assess(sheet))
    with pytest.raises(ValidationError, match="Còn phiếu chưa thẩm định"):
        services.scoring_lock(bloc_year=world.bloc_year)
    finish(self_assess(sheets[-1]))
    services.scoring_lock(bloc_year=world.bloc_year)
    assert ranking_for(world.bloc_year).final


def test_ranking_shares_a_rank_on_equal_totals_and_breaks_ties_on_the_base_score(world):
    scheme = make_scheme(
        world.bloc_year, open_=True, bonus_cap=Decimal(10), tie_break=ScoringScheme.TieBreak.SHARED
    )
    by_unit = {s.unit_id: s for s in scheme.sheets.all()}
    u = world.units
    self_assess(by_unit[u[0].pk], {"1.1": 25, "X.1": 0})  # 85
    self_assess(by_unit[u[1].pk], {"1.1": 15, "X.1": 10})  # 75 + 10 = 85
    self_assess(by_unit[u[2].pk], {"X.1": 15, "X.2": -3})  # 80 + 10 (cap) − 3 = 87
    for unit in u[3:]:
        self_assess(by_unit[unit.pk], default=Decimal(10))  # 40
    ranking = compute_ranking(scheme)
    top = ranking.rows[:3]
    assert [r.unit.pk for r in top] == [u[2].pk, u[0].pk, u[1].pk]
    assert [r.rank for r in top] == [1, 2, 2]
    assert (
        top[0].bonus == Decimal(10)
        and top[0].bonus_raw == Decimal(15)
        and top[0].penalty == Decimal(-3)
    )
    assert top[0].total == Decimal(87)
    assert top[1].tied and top[2].tied and not top[0].tied
    assert [r.rank for r in ranking.rows[3:]] == [4] * 5
    # With the base-score tie-break, the unit with more standard points goes first.
    scheme.tie_break = ScoringScheme.TieBreak.BASE
    ranking = compute_ranking(scheme)
    assert [(r.unit.pk, r.rank, r.tied) for r in ranking.rows[1:3]] == [
        (u[0].pk, 2, False),
        (u[1].pk, 3, False),
    ]


def test_ranking_gives_per_group_subtotals_from_the_agreed_scores(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]), {"1.1": 25, "2.2": 5, "X.1": 4})
    first = scheme.criteria.get(code="1.1")
    services.sheet_review(
        sheet=sheet, entries={first.pk: {"value": Decimal(21), "reason": "Chậm tiến độ"}}
    )
    row = next(r for r in compute_ranking(scheme).rows if r.unit.pk == world.units[1].pk)
    assert row.group_totals == [
        Decimal(41),
        Decimal(25),
        Decimal(4),
    ]  # G1 = 21 + 20, G2 = 20 + 5, X = bonus
    assert row.main == Decimal(66) and row.total == Decimal(70) and row.self_total == Decimal(74)


def test_ranking_page_uses_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    big = make_bloc_year(40, year=2024, organizer=world.organizer)
    scheme = make_scheme(big, groups=6, per_group=10, max_score=Decimal(2), open_=True)
    for sheet in scheme.sheets.all()[:10]:
        self_assess(sheet, default=Decimal(1))
    client.force_login(world.superuser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("awards:ranking", args=[big.pk]))
    assert response.status_code == 200
    # every unit's sheet is linked (from the table, and from the ranking chart's bars)
    assert len(set(re.findall(r'href="(/sheets/\d+/)"', response.content.decode()))) == 40


def test_self_scoring_through_the_form_saves_and_reports_errors(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    first, second = leaves(scheme)[:2]
    client.force_login(world.delegate)
    url = reverse("awards:sheet_detail", args=[sheet.pk])
    page = client.get(url).content.decode()
    assert f'name="v{first.pk}"' in page and f'name="e{first.pk}"' in page
    response = client.post(url, {"mode": "self", f"v{first.pk}": "30", f"v{second.pk}": "5"})
    assert response.status_code == 422
    assert "vượt quá điểm tối đa (25)" in response.content.decode()
    assert not Score.objects.filter(sheet=sheet, self_value__isnull=False).exists()
    response = client.post(
        url, {"mode": "self", f"v{first.pk}": "22.5", f"e{first.pk}": "Báo cáo 15/BC"}
    )
    assert response.status_code == 302
    score = Score.objects.get(sheet=sheet, criterion=first)
    assert (score.self_value, score.evidence) == (Decimal("22.5"), "Báo cáo 15/BC")


def test_the_secretary_reviews_with_reasons_through_the_form(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    first = leaves(scheme)[0]
    client.force_login(world.secretary)
    url = reverse("awards:sheet_detail", args=[sheet.pk])
    response = client.post(url, {"mode": "review", f"v{first.pk}": "12"})
    assert response.status_code == 422 and "cần ghi lý do" in response.content.decode()
    response = client.post(
        url, {"mode": "review", f"v{first.pk}": "12", f"r{first.pk}": "Thiếu minh chứng"}
    )
    assert response.status_code == 302
    assert Score.objects.get(sheet=sheet, criterion=first).review_value == Decimal(12)
