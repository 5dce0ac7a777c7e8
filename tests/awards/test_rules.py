"""The issue's rules, through the services and, where they exist, the database constraints.
Each refusal has a Vietnamese message and saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from awards import services
from awards.models import Award, CrossScore, Score, ScoringScheme
from blocs.services import bloc_year_create
from tests.factories import UnitFactory

from .conftest import leaves, make_scheme, self_assess

# --- a quota cannot be exceeded --------------------------------------------------------------


def test_a_vote_cannot_propose_more_winners_than_the_quota(world, co):
    services.quota_set(bloc_year=world.bloc_year, award_title=co, max_count=1)
    with pytest.raises(ValidationError, match="Vượt chỉ tiêu"):
        services.award_propose_from_poll(
            bloc_year=world.bloc_year,
            award_title=co,
            unit_ids=[u.pk for u in world.units[:2]],
            source_label="Biểu quyết",
        )
    assert not Award.objects.exists()


def test_proposing_the_same_winner_again_does_not_count_twice_against_the_quota(world, co):
    services.quota_set(bloc_year=world.bloc_year, award_title=co, max_count=1)
    unit = world.units[0]
    first = services.award_propose_from_poll(
        bloc_year=world.bloc_year, award_title=co, unit_ids=[unit.pk], source_label="Vòng 1"
    )
    again = services.award_propose_from_poll(
        bloc_year=world.bloc_year, award_title=co, unit_ids=[unit.pk], source_label="Vòng 1"
    )
    assert [a.pk for a in first] == [a.pk for a in again]
    assert first[0].year == 2024 and first[0].status == Award.Status.PROPOSED
    with pytest.raises(ValidationError, match="tối đa 1 tập thể"):
        services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[1])


def test_individual_quota_is_counted_apart_from_collectives(world, bang_khen):
    services.quota_set(
        bloc_year=world.bloc_year, award_title=bang_khen, max_count=5, max_individuals=1
    )
    services.award_create(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        unit=world.units[0],
        person_name="Lê Thị Hoa",
    )
    with pytest.raises(ValidationError, match="tối đa 1 cá nhân"):
        services.award_create(
            bloc_year=world.bloc_year,
            award_title=bang_khen,
            unit=world.units[0],
            person_name="Trần Văn Nam",
        )
    services.award_create(bloc_year=world.bloc_year, award_title=bang_khen, unit=world.units[0])
    assert Award.objects.count() == 2


def test_rejected_awards_free_their_quota_place(world, co):
    services.quota_set(bloc_year=world.bloc_year, award_title=co, max_count=1)
    award = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    with pytest.raises(ValidationError, match="tối đa 1 tập thể"):
        services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[1])
    services.award_reject(award=award, reason="Đơn vị bị kỷ luật")
    second = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[1])
    assert second.status == Award.Status.PROPOSED
    award.refresh_from_db()
    assert award.status == Award.Status.REJECTED
    # The freed place is taken again: the quota still holds.
    with pytest.raises(ValidationError, match="tối đa 1 tập thể"):
        services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[2])


def test_a_quota_cannot_be_set_below_what_is_already_proposed(world, bang_khen):
    for unit in world.units[:2]:
        services.award_create(bloc_year=world.bloc_year, award_title=bang_khen, unit=unit)
    with pytest.raises(ValidationError) as exc:
        services.quota_set(bloc_year=world.bloc_year, award_title=bang_khen, max_count=1)
    assert "không thể nhỏ hơn" in str(exc.value)


def test_the_database_allows_one_quota_per_title_and_year(world, co):
    from awards.models import AwardQuota

    AwardQuota.objects.create(bloc_year=world.bloc_year, award_title=co, max_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardQuota.objects.create(bloc_year=world.bloc_year, award_title=co, max_count=2)


# --- an award cannot go to a unit that was not a member that year ---------------------------


def test_an_award_cannot_go_to_a_unit_that_was_not_a_member_that_year(world, co, bang_khen):
    stranger = UnitFactory(organizer=world.organizer)
    with pytest.raises(ValidationError, match="không phải thành viên"):
        services.award_propose_from_poll(
            bloc_year=world.bloc_year,
            award_title=co,
            unit_ids=[stranger.pk],
            source_label="Biểu quyết",
        )
    with pytest.raises(ValidationError, match="không phải thành viên"):
        services.award_create(
            bloc_year=world.bloc_year, award_title=bang_khen, unit=stranger, person_name="Nguyễn A"
        )
    assert not Award.objects.exists()


def test_a_unit_that_joined_a_later_year_cannot_be_awarded_for_an_earlier_year(world, co):
    later = bloc_year_create(bloc=world.bloc, year=2025)
    newcomer = UnitFactory(organizer=world.organizer)
    from blocs.services import membership_add

    membership_add(bloc_year=later, unit=newcomer)
    services.award_create(bloc_year=later, award_title=co, unit=newcomer)
    with pytest.raises(ValidationError):
        services.award_create(bloc_year=world.bloc_year, award_title=co, unit=newcomer)


# --- the same person cannot get two awards of one title in one year -------------------------


def test_the_same_person_cannot_get_two_awards_of_one_title_in_one_year(world, bang_khen):
    services.award_create(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        unit=world.units[0],
        person_name="Nguyễn Thị Lan",
        person_position="Phó Chánh án",
    )
    # Another bloc of the same year, where the person's unit is also a member.
    from tests.factories import BlocFactory, BlocYearFactory, MembershipFactory

    other = BlocYearFactory(bloc=BlocFactory(organizer=world.organizer), year=2024)
    MembershipFactory(bloc_year=other, unit=world.units[0])
    with pytest.raises(ValidationError, match="không thể nhận hai lần"):
        services.award_create(
            bloc_year=other,
            award_title=bang_khen,
            unit=world.units[0],
            person_name="  nguyễn thị  lan ",
        )
    assert Award.objects.count() == 1


def test_the_same_person_may_get_the_title_again_the_next_year(world, bang_khen):
    later = bloc_year_create(bloc=world.bloc, year=2025)
    for by in (world.bloc_year, later):
        services.award_create(
            bloc_year=by, award_title=bang_khen, unit=world.units[0], person_name="Nguyễn Thị Lan"
        )
    assert Award.objects.filter(person_name="Nguyễn Thị Lan").count() == 2


def test_the_database_refuses_a_second_award_of_one_title_to_a_person_in_a_year(world, bang_khen):
    first = services.award_create(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        unit=world.units[0],
        person_name="Nguyễn Thị Lan",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(
            bloc_year=world.bloc_year,
            award_title=bang_khen,
            unit=world.units[0],
            person=first.person,
            person_name="Nguyễn Thị Lan",
            collective_name="bản ghi trùng",
        )


def test_collective_only_titles_refuse_individuals(world, co):
    with pytest.raises(ValidationError, match="chỉ dành cho tập thể"):
        services.award_create(
            bloc_year=world.bloc_year, award_title=co, unit=world.units[0], person_name="Nguyễn A"
        )


# --- decisions --------------------------------------------------------------------------------


def test_recording_the_decision_makes_the_awards_final(world, co, bang_khen):
    a = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    b = services.award_create(bloc_year=world.bloc_year, award_title=bang_khen, unit=world.units[1])
    services.award_record_decision(
        awards=[a, b],
        decision_number="125/QĐ-UBND",
        decision_date=dt.date(2025, 1, 20),
        decision_issuer="Chủ tịch UBND tỉnh",
    )
    for award in (a, b):
        award.refresh_from_db()
        assert award.status == Award.Status.FINAL
        assert (award.decision_number, award.decision_date) == ("125/QĐ-UBND", dt.date(2025, 1, 20))


def test_a_decision_needs_number_date_and_issuer(world, co):
    a = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    with pytest.raises(ValidationError) as exc:
        services.award_record_decision(
            awards=[a], decision_number=" ", decision_date=None, decision_issuer=""
        )
    assert set(exc.value.message_dict) == {"decision_number", "decision_date", "decision_issuer"}
    a.refresh_from_db()
    assert a.status == Award.Status.PROPOSED


def test_the_database_refuses_a_final_award_without_a_decision(world, co):
    a = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    a.status = Award.Status.FINAL
    with pytest.raises(IntegrityError), transaction.atomic():
        a.save()


def test_a_rejected_award_cannot_be_decided(world, co):
    a = services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    services.award_reject(award=a, reason="Không đủ tiêu chuẩn")
    with pytest.raises(ValidationError, match="đã bị từ chối"):
        services.award_record_decision(
            awards=[a],
            decision_number="1/QĐ",
            decision_date=dt.date(2025, 1, 2),
            decision_issuer="UBND tỉnh",
        )


# --- a score cannot exceed its maximum --------------------------------------------------------


def test_a_score_cannot_exceed_its_maximum(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[0])
    first = leaves(scheme)[0]
    with pytest.raises(ValidationError, match="vượt quá điểm tối đa"):
        services.sheet_self_assess(sheet=sheet, entries={first.pk: {"value": Decimal("25.5")}})
    assert not Score.objects.filter(self_value__isnull=False).exists()


def test_a_penalty_cannot_go_beyond_its_cap_nor_a_score_below_zero(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[0])
    penalty = scheme.criteria.get(code="X.2")
    with pytest.raises(ValidationError, match="mức trừ tối đa"):
        services.sheet_self_assess(sheet=sheet, entries={penalty.pk: {"value": Decimal(-6)}})
    with pytest.raises(ValidationError, match="không được âm"):
        services.sheet_self_assess(
            sheet=sheet, entries={leaves(scheme)[0].pk: {"value": Decimal(-1)}}
        )


def test_the_database_refuses_a_score_over_the_maximum(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    score = Score.objects.filter(sheet__scheme=scheme).first()
    score.self_value = score.max_value + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        score.save()


# --- a locked sheet cannot be edited ----------------------------------------------------------


def test_a_locked_sheet_cannot_be_edited(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    services.sheet_review(sheet=sheet, entries={})
    services.sheet_lock(sheet=sheet)
    first = leaves(scheme)[0]
    for call in (
        lambda: services.sheet_review(
            sheet=sheet, entries={first.pk: {"value": Decimal(1), "reason": "x"}}
        ),
        lambda: services.sheet_explain(sheet=sheet, entries={first.pk: "Giải trình"}),
        lambda: services.sheet_self_assess(sheet=sheet, entries={first.pk: {"value": Decimal(1)}}),
    ):
        with pytest.raises(ValidationError, match="đã khóa"):
            call()
    assert Score.objects.get(sheet=sheet, criterion=first).final_value == Decimal(20)


def test_a_submitted_self_assessment_cannot_be_changed_by_the_unit(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    with pytest.raises(ValidationError, match="đã nộp"):
        services.sheet_self_assess(
            sheet=sheet, entries={leaves(scheme)[0].pk: {"value": Decimal(1)}}
        )


def test_criteria_cannot_change_once_scoring_is_open(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    first = leaves(scheme)[0]
    with pytest.raises(ValidationError, match="không thể sửa bảng tiêu chí"):
        services.criterion_save(
            scheme=scheme,
            criterion=first,
            parent=first.parent,
            code="1",
            title="Sửa",
            kind="points",
            max_score=Decimal(30),
        )
    with pytest.raises(ValidationError):
        services.criterion_delete(criterion=first)


# --- a unit cannot score itself in cross-scoring ---------------------------------------------


def test_a_unit_cannot_score_itself_in_cross_scoring(world):
    scheme = make_scheme(world.bloc_year, method=ScoringScheme.Method.CROSS, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    first = leaves(scheme)[0]
    with pytest.raises(ValidationError, match="không được tự chấm chéo"):
        services.cross_score_save(
            sheet=sheet, scorer_unit=world.units[0], entries={first.pk: {"value": Decimal(20)}}
        )
    assert not CrossScore.objects.exists()


def test_the_database_refuses_a_self_cross_score(world):
    scheme = make_scheme(world.bloc_year, method=ScoringScheme.Method.CROSS, open_=True)
    score = Score.objects.filter(sheet__scheme=scheme, unit=world.units[0]).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CrossScore.objects.create(
            score=score,
            scorer_unit=world.units[0],
            unit=world.units[0],
            value=1,
            min_value=score.min_value,
            max_value=score.max_value,
        )


# --- every adjustment has a reason ------------------------------------------------------------


def test_a_review_that_changes_a_score_needs_a_reason(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    first = leaves(scheme)[0]
    with pytest.raises(ValidationError, match="cần ghi lý do"):
        services.sheet_review(
            sheet=sheet, entries={first.pk: {"value": Decimal(15), "reason": " "}}
        )
    services.sheet_review(
        sheet=sheet, entries={first.pk: {"value": Decimal(15), "reason": "Thiếu minh chứng"}}
    )
    score = Score.objects.get(sheet=sheet, criterion=first)
    assert (score.self_value, score.review_value, score.review_reason) == (
        Decimal(20),
        Decimal(15),
        "Thiếu minh chứng",
    )


def test_the_database_refuses_an_adjustment_without_a_reason(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    score = Score.objects.filter(sheet=sheet).first()
    score.review_value = score.self_value - 1
    with pytest.raises(IntegrityError), transaction.atomic():
        score.save()


def test_the_leader_unit_does_not_review_its_own_sheet(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[0]))
    with pytest.raises(ValidationError, match="không tự thẩm định"):
        services.sheet_review(sheet=sheet, entries={}, reviewer_unit=world.units[0])
