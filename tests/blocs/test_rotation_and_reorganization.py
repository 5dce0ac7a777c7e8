"""Rotation plans, leader/deputy history, and units renamed or merged over time."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from blocs import services
from blocs.models import Bloc, BlocYear, LeadershipTerm, Membership, Unit

from ..factories import BlocFactory, UnitFactory, make_bloc_year


@pytest.fixture
def rotating_bloc(db):
    bloc = BlocFactory(rotation_policy=Bloc.RotationPolicy.ORDER)
    y2023 = make_bloc_year(5, year=2023, bloc=bloc)
    units = [m.unit for m in y2023.memberships.order_by("unit_id").select_related("unit")]
    services.rotation_set_order(bloc=bloc, units=units)
    services.leadership_set(bloc_year=y2023, role="leader", unit=units[0])
    services.leadership_set(bloc_year=y2023, role="deputy", unit=units[1])
    y2024 = services.bloc_year_create(bloc=bloc, year=2024)
    return bloc, y2023, y2024, units


def test_rotation_by_order_proposes_the_next_unit_after_last_years_leader(rotating_bloc):
    _, _, y2024, units = rotating_bloc
    leader, deputy = services.rotation_proposal(bloc_year=y2024)
    assert (leader, deputy) == (units[1], units[2])


def test_rotation_with_deputy_promoted_makes_last_years_deputy_the_leader(rotating_bloc):
    bloc, _, y2024, units = rotating_bloc
    bloc.rotation_policy = Bloc.RotationPolicy.DEPUTY_PROMOTED
    bloc.save()
    y2024.bloc.refresh_from_db()
    leader, deputy = services.rotation_proposal(bloc_year=y2024)
    assert leader == units[1] and deputy == units[2]


def test_rotation_skips_units_that_are_not_members_of_the_year(rotating_bloc):
    _, _, y2024, units = rotating_bloc
    Membership.objects.filter(bloc_year=y2024, unit=units[1]).delete()
    leader, deputy = services.rotation_proposal(bloc_year=y2024)
    assert (leader, deputy) == (units[2], units[3])


def test_rotation_wraps_around_at_the_end_of_the_order(rotating_bloc):
    bloc, _, y2024, units = rotating_bloc
    services.leadership_set(bloc_year=y2024, role="leader", unit=units[4])
    y2025 = services.bloc_year_create(bloc=bloc, year=2025)
    leader, deputy = services.rotation_proposal(bloc_year=y2025)
    assert (leader, deputy) == (units[0], units[1])


def test_accepting_a_proposal_confirms_it(rotating_bloc):
    _, _, y2024, units = rotating_bloc
    terms = services.rotation_propose(bloc_year=y2024)
    assert {t.status for t in terms} == {"proposed"}
    leader = LeadershipTerm.objects.get(bloc_year=y2024, role="leader")
    services.leadership_accept(term=leader)
    leader.refresh_from_db()
    assert leader.status == "confirmed" and leader.method == "rotation" and leader.unit == units[1]


def test_overriding_a_proposal_needs_a_reason_and_records_it(rotating_bloc):
    _, _, y2024, units = rotating_bloc
    services.rotation_propose(bloc_year=y2024)
    with pytest.raises(ValidationError) as exc:
        services.leadership_set(bloc_year=y2024, role="leader", unit=units[3])
    assert "Cần ghi lý do" in str(exc.value)
    term = services.leadership_set(
        bloc_year=y2024,
        role="leader",
        unit=units[3],
        reason="Đơn vị được đề xuất đang sắp xếp bộ máy",
    )
    assert term.method == "override" and term.proposed_unit == units[1]
    assert term.reason == "Đơn vị được đề xuất đang sắp xếp bộ máy"


def test_database_refuses_an_override_without_reason(rotating_bloc):
    _, _, y2024, units = rotating_bloc
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipTerm.objects.create(
            bloc_year=y2024,
            role="leader",
            unit=units[2],
            method="override",
            status="confirmed",
            reason="",
        )


def test_an_election_replaces_proposed_with_elected_at_the_meeting(
    client, rotating_bloc, django_user_model
):
    bloc, _, y2024, units = rotating_bloc
    services.rotation_propose(bloc_year=y2024)
    services.leadership_record_election(
        bloc_year=y2024,
        role="leader",
        unit=units[1],
        meeting_label="Hội nghị tổng kết năm 2023 (21/11/2023)",
        meeting_url="/meetings/1/",
        elected_on=dt.date(2023, 11, 21),
    )
    term = LeadershipTerm.objects.get(bloc_year=y2024, role="leader")
    assert term.method == "elected" and term.status == "confirmed"
    assert term.source_label() == "Bầu tại Hội nghị tổng kết năm 2023 (21/11/2023)"
    admin = django_user_model.objects.create_superuser("sa", "sa@example.org", "x")
    client.force_login(admin)
    page = client.get(reverse("blocs:bloc_detail", args=[bloc.pk])).content.decode()
    assert "Bầu tại Hội nghị tổng kết năm 2023 (21/11/2023)" in page


def test_bloc_page_shows_the_leader_timeline_in_year_order(
    client, rotating_bloc, django_user_model
):
    bloc, y2023, y2024, units = rotating_bloc
    services.leadership_set(bloc_year=y2024, role="leader", unit=units[1])
    admin = django_user_model.objects.create_superuser("sa", "sa@example.org", "x")
    client.force_login(admin)
    page = client.get(reverse("blocs:bloc_detail", args=[bloc.pk])).content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert timeline.index(">2023<") < timeline.index(">2024<")
    assert units[0].name in timeline and units[1].name in timeline


def test_rename_keeps_the_old_name_for_earlier_years(db):
    unit = UnitFactory(name="Cục Thi hành án dân sự tỉnh")
    services.unit_rename(
        unit=unit, new_name="Thi hành án dân sự tỉnh", effective_date=dt.date(2025, 7, 1)
    )
    unit = Unit.objects.prefetch_related("former_names").get(pk=unit.pk)
    assert unit.name_on(dt.date(2025, 6, 30)) == "Cục Thi hành án dân sự tỉnh"
    assert unit.name_on(dt.date(2025, 7, 1)) == "Thi hành án dân sự tỉnh"
    assert unit.name_in_year(2024) == "Cục Thi hành án dân sự tỉnh"
    assert unit.events.filter(kind="renamed", effective_date=dt.date(2025, 7, 1)).exists()


def test_two_renames_each_keep_their_period(db):
    unit = UnitFactory(name="Tên A")
    services.unit_rename(unit=unit, new_name="Tên B", effective_date=dt.date(2020, 1, 1))
    services.unit_rename(unit=unit, new_name="Tên C", effective_date=dt.date(2025, 7, 1))
    unit = Unit.objects.get(pk=unit.pk)
    assert [unit.name_on(dt.date(y, 6, 1)) for y in (2019, 2022, 2026)] == [
        "Tên A",
        "Tên B",
        "Tên C",
    ]
    with pytest.raises(ValidationError):
        services.unit_rename(unit=unit, new_name="Tên D", effective_date=dt.date(2024, 1, 1))


def test_bloc_year_page_shows_names_as_they_were_that_year(client, world):
    unit = world.units[3]
    old = unit.name
    services.unit_rename(
        unit=unit, new_name="Tên mới sau sáp nhập", effective_date=dt.date(2025, 7, 1)
    )
    client.force_login(world.office)
    page = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])).content.decode()
    assert old in page and "Tên mới sau sáp nhập" not in page
    history = client.get(reverse("blocs:unit_detail", args=[unit.pk])).content.decode()
    assert old in history and "Tên mới sau sáp nhập" in history and "01/07/2025" in history


def test_merging_archives_the_unit_and_moves_later_memberships(db):
    bloc_year = make_bloc_year(3, year=2026)
    merged, receiver = [m.unit for m in bloc_year.memberships.order_by("unit_id")[:2]]
    services.unit_merge(unit=merged, into=receiver, effective_date=dt.date(2025, 7, 1))
    merged.refresh_from_db()
    assert merged.merged_into == receiver and merged.archived_at is not None
    # 2026 is after the merge: the merged unit's seat goes to the receiver (already a member).
    assert not bloc_year.memberships.filter(unit=merged).exists()
    assert receiver.events.filter(kind="absorbed", other_unit=merged).exists()
    assert set(u.pk for u in services.unit_lineage(receiver)) == {receiver.pk, merged.pk}


def test_a_new_year_replaces_merged_units_by_their_receiver(db):
    y2024 = make_bloc_year(3, year=2024)
    merged = y2024.memberships.order_by("unit_id").first().unit
    receiver = UnitFactory(organizer=y2024.bloc.organizer, name="Đơn vị tiếp nhận")
    services.unit_merge(unit=merged, into=receiver, effective_date=dt.date(2025, 1, 1))
    y2025 = services.bloc_year_create(bloc=y2024.bloc, year=2025)
    units = set(y2025.memberships.values_list("unit_id", flat=True))
    assert receiver.pk in units and merged.pk not in units
    assert (
        BlocYear.objects.get(pk=y2024.pk).memberships.filter(unit=merged).exists()
    )  # history kept


def test_merge_into_itself_or_twice_is_refused(db):
    unit = UnitFactory()
    other = UnitFactory(organizer=unit.organizer)
    with pytest.raises(ValidationError):
        services.unit_merge(unit=unit, into=unit, effective_date=dt.date(2025, 7, 1))
    services.unit_merge(unit=unit, into=other, effective_date=dt.date(2025, 7, 1))
    with pytest.raises(ValidationError):
        services.unit_merge(unit=unit, into=other, effective_date=dt.date(2025, 8, 1))


def test_rename_and_merge_forms_work_in_the_browser_flow(client, world):
    client.force_login(world.office)
    unit = world.units[5]
    response = client.post(
        reverse("blocs:unit_rename", args=[unit.pk]),
        {
            "new_name": "Thi hành án dân sự tỉnh",
            "effective_date": "2025-07-01",
            "basis": "NQ 202/2025/QH15",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Thi hành án dân sự tỉnh"
    response = client.post(
        reverse("blocs:unit_merge", args=[unit.pk]),
        {"into": world.units[6].pk, "effective_date": "2025-07-01", "basis": ""},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.merged_into == world.units[6]
    response = client.post(
        reverse("blocs:unit_rename", args=[unit.pk]), {"new_name": "", "effective_date": "x"}
    )
    assert response.status_code == 422
