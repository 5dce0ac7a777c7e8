"""Signers are people: a unit's head and the bloc's representative, recorded per period."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from blocs.models import LeadershipTerm
from blocs.services import unit_rename
from legal import services
from legal.people import bloc_signer_on, heads_on, unit_head_on

pytestmark = pytest.mark.django_db


def test_the_head_on_a_date_is_the_person_whose_period_covers_it(world):
    unit = world.units[0]
    services.unit_head_add(
        unit=unit, title="Chánh án", full_name="Nguyễn Văn A", valid_until=dt.date(2024, 6, 30)
    )
    services.unit_head_add(
        unit=unit, title="Chánh án", full_name="Trần Thị B", valid_from=dt.date(2024, 7, 1)
    )
    assert unit_head_on(unit, dt.date(2024, 6, 30)).name == "Nguyễn Văn A"
    assert unit_head_on(unit, dt.date(2024, 7, 1)).name == "Trần Thị B"


def test_overlapping_periods_for_one_unit_are_refused(world):
    unit = world.units[0]
    services.unit_head_add(unit=unit, title="Chánh án", full_name="Nguyễn Văn A")
    with pytest.raises(ValidationError, match="trùng với Chánh án Nguyễn Văn A"):
        services.unit_head_add(
            unit=unit, title="Chánh án", full_name="Trần Thị B", valid_from=dt.date(2025, 1, 1)
        )


def test_a_current_head_title_does_not_apply_to_the_old_name_of_a_renamed_unit(world):
    unit = world.units[0]
    unit.name, unit.head_title = "Cục Thi hành án dân sự tỉnh", "Cục trưởng"
    unit.save()
    unit_rename(unit=unit, new_name="Thi hành án dân sự tỉnh", effective_date=dt.date(2025, 7, 1))
    unit.refresh_from_db()
    # the current title belongs to the current name only
    assert unit_head_on(unit, dt.date(2025, 12, 5)).title == "Cục trưởng"
    assert unit_head_on(unit, dt.date(2025, 6, 30)) is None
    services.unit_head_add(unit=unit, title="Cục trưởng", valid_until=dt.date(2025, 6, 30))
    before = unit_head_on(unit, dt.date(2025, 6, 30))
    assert (before.title, before.name, before.complete) == ("Cục trưởng", "", False)
    assert before.unit == "Cục Thi hành án dân sự tỉnh"


def test_heads_on_answers_for_many_units_in_two_queries(world, django_assert_max_num_queries):
    for unit in world.units[:3]:
        services.unit_head_add(unit=unit, title="Giám đốc", full_name=f"Người {unit.pk}")
    units = list(
        world.bloc_year.memberships.select_related("unit").prefetch_related("unit__former_names")
    )
    units = [m.unit for m in units]
    with django_assert_max_num_queries(1):
        heads = heads_on(units, dt.date(2024, 12, 5))
    assert sum(1 for p in heads.values() if p and p.name) == 3


def test_the_bloc_signs_through_its_recorded_representative(world):
    services.bloc_signer_add(
        bloc_year=world.bloc_year,
        role="leader",
        full_name="Nguyễn Hoàng Lâm",
        title="Phó Chánh án Tòa án nhân dân tỉnh",
    )
    person = bloc_signer_on(world.bloc_year, "leader", dt.date(2024, 12, 5))
    assert (person.name, person.title, person.unit) == (
        "Nguyễn Hoàng Lâm",
        "Phó Chánh án Tòa án nhân dân tỉnh",
        world.units[0].name,
    )


def test_without_a_representative_the_head_of_the_leader_unit_signs(world):
    services.unit_head_add(
        unit=world.units[0], title="Chánh Thanh tra tỉnh", full_name="Trần Quang Ứng"
    )
    person = bloc_signer_on(world.bloc_year, "leader", dt.date(2024, 12, 5))
    assert (person.name, person.title) == ("Trần Quang Ứng", "Chánh Thanh tra tỉnh")


def test_with_nobody_recorded_the_signer_is_incomplete_and_names_the_unit(world):
    person = bloc_signer_on(world.bloc_year, "leader", dt.date(2024, 12, 5))
    assert not person.complete
    assert person.unit == world.units[0].name


def test_a_proposed_leader_that_was_never_confirmed_does_not_sign(world):
    LeadershipTerm.objects.filter(bloc_year=world.bloc_year).update(status="proposed")
    assert bloc_signer_on(world.bloc_year, "leader", dt.date(2024, 12, 5)) is None


def test_a_representative_needs_the_years_leader_unit_first(world):
    with pytest.raises(ValidationError, match="chưa có Khối phó"):
        services.bloc_signer_add(
            bloc_year=world.bloc_year, role="deputy", full_name="Lê Văn Anh", title="Phó Chính ủy"
        )


def test_a_representatives_dates_must_fall_in_the_year(world):
    with pytest.raises(ValidationError) as exc:
        services.bloc_signer_add(
            bloc_year=world.bloc_year,
            role="leader",
            full_name="Nguyễn Văn A",
            title="Chánh án",
            valid_from=dt.date(2019, 1, 1),
        )
    assert "Ngày phải thuộc năm 2024" in str(exc.value)
