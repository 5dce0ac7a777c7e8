"""IDOR: another province's bloc, year, unit, membership or term ids are refused,
whether they come in the URL or in a form field."""

import io

import pytest
from django.urls import reverse

from blocs.models import Bloc, BlocYear, LeadershipTerm, Membership, RotationSlot, Unit


@pytest.fixture
def theirs(world):
    """Ids belonging to Tây Ninh, seen from Bắc Ninh's office staff."""
    by = world.other_bloc_year
    unit = by.memberships.first().unit
    term = LeadershipTerm.objects.create(
        bloc_year=by, role="leader", unit=unit, method="appointed", status="proposed"
    )
    return {
        "bloc": by.bloc,
        "year": by,
        "unit": unit,
        "membership": by.memberships.first(),
        "term": term,
    }


def _url_cases(theirs):
    bloc, year, unit = theirs["bloc"].pk, theirs["year"].pk, theirs["unit"].pk
    return [
        ("get", reverse("blocs:bloc_detail", args=[bloc])),
        ("get", reverse("blocs:bloc_edit", args=[bloc])),
        ("post", reverse("blocs:bloc_edit", args=[bloc])),
        ("post", reverse("blocs:bloc_archive", args=[bloc])),
        ("get", reverse("blocs:bloc_rotation", args=[bloc])),
        ("post", reverse("blocs:bloc_rotation", args=[bloc])),
        ("get", reverse("blocs:bloc_year_create", args=[bloc])),
        ("post", reverse("blocs:bloc_year_create", args=[bloc])),
        ("get", reverse("blocs:bloc_year_detail", args=[year])),
        ("get", reverse("blocs:bloc_year_edit", args=[year])),
        ("post", reverse("blocs:bloc_year_edit", args=[year])),
        ("post", reverse("blocs:bloc_year_archive", args=[year])),
        ("post", reverse("blocs:membership_add", args=[year])),
        ("post", reverse("blocs:membership_remove", args=[year, theirs["membership"].pk])),
        ("get", reverse("blocs:leadership_set", args=[year])),
        ("post", reverse("blocs:leadership_set", args=[year])),
        ("post", reverse("blocs:leadership_propose", args=[year])),
        ("post", reverse("blocs:leadership_accept", args=[year, theirs["term"].pk])),
        ("get", reverse("blocs:unit_detail", args=[unit])),
        ("get", reverse("blocs:unit_edit", args=[unit])),
        ("post", reverse("blocs:unit_edit", args=[unit])),
        ("get", reverse("blocs:unit_rename", args=[unit])),
        ("post", reverse("blocs:unit_rename", args=[unit])),
        ("get", reverse("blocs:unit_merge", args=[unit])),
        ("post", reverse("blocs:unit_merge", args=[unit])),
        ("post", reverse("blocs:unit_archive", args=[unit])),
    ]


def _snapshot():
    return (
        list(Bloc.objects.order_by("pk").values_list("pk", "name", "archived_at")),
        list(BlocYear.objects.order_by("pk").values_list("pk", "archived_at", "notes")),
        list(Unit.objects.order_by("pk").values_list("pk", "name", "archived_at", "merged_into")),
        list(Membership.objects.order_by("pk").values_list("pk", "bloc_year", "unit")),
        list(LeadershipTerm.objects.order_by("pk").values_list("pk", "unit", "status")),
        RotationSlot.objects.count(),
    )


@pytest.mark.parametrize("who", ["office", "secretary", "delegate"])
def test_another_provinces_ids_in_urls_answer_404_and_change_nothing(client, world, theirs, who):
    client.force_login(world.users()[who])
    before = _snapshot()
    for method, url in _url_cases(theirs):
        data = {
            "name": "Bị sửa",
            "year": 2031,
            "unit": theirs["unit"].pk,
            "role": "leader",
            "method": "appointed",
            "new_name": "Bị đổi",
            "effective_date": "2024-05-01",
        }
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, (who, method, url, response.status_code)
    assert _snapshot() == before


def test_a_membership_or_term_of_another_year_under_my_own_year_answers_404(client, world, theirs):
    client.force_login(world.office)
    mine = world.bloc_year.pk
    before = _snapshot()
    assert (
        client.post(
            reverse("blocs:membership_remove", args=[mine, theirs["membership"].pk])
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("blocs:leadership_accept", args=[mine, theirs["term"].pk])).status_code
        == 404
    )
    assert _snapshot() == before


def _assert_form_refused(response, field_text=None):
    assert response.status_code == 422, response.status_code
    html = response.content.decode()
    assert "errorlist" in html or "form-errors" in html
    if field_text:
        assert field_text in html


def test_another_provinces_unit_in_membership_form_is_a_form_error(client, world, theirs):
    client.force_login(world.office)
    before = _snapshot()
    response = client.post(
        reverse("blocs:membership_add", args=[world.bloc_year.pk]), {"unit": theirs["unit"].pk}
    )
    _assert_form_refused(response)
    assert _snapshot() == before


def test_another_provinces_unit_as_leader_is_a_form_error(client, world, theirs):
    client.force_login(world.office)
    before = _snapshot()
    response = client.post(
        reverse("blocs:leadership_set", args=[world.bloc_year.pk]),
        {"role": "deputy", "unit": theirs["unit"].pk, "method": "appointed", "reason": "x"},
    )
    _assert_form_refused(response)
    assert _snapshot() == before


def test_creating_a_bloc_or_unit_under_another_organizer_is_a_form_error(client, world):
    client.force_login(world.office)
    before = _snapshot()
    response = client.post(
        reverse("blocs:bloc_create"),
        {
            "organizer": world.other_organizer.pk,
            "code": "khoi-moi",
            "name": "Khối mới",
            "kind": "khoi",
            "level": "province",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "quorum_basis": "members",
            "rotation_policy": "none",
        },
    )
    _assert_form_refused(response)
    response = client.post(
        reverse("blocs:unit_create"),
        {"organizer": world.other_organizer.pk, "code": "dv-moi", "name": "Đơn vị mới"},
    )
    _assert_form_refused(response)
    assert _snapshot() == before


def test_merging_into_another_provinces_unit_is_a_form_error(client, world, theirs):
    client.force_login(world.office)
    before = _snapshot()
    response = client.post(
        reverse("blocs:unit_merge", args=[world.units[3].pk]),
        {"into": theirs["unit"].pk, "effective_date": "2024-06-01", "basis": ""},
    )
    _assert_form_refused(response)
    assert _snapshot() == before


def test_another_provinces_bloc_as_predecessor_is_a_form_error(client, world, theirs):
    client.force_login(world.office)
    bloc = world.bloc
    response = client.post(
        reverse("blocs:bloc_edit", args=[bloc.pk]),
        {
            "code": bloc.code,
            "name": bloc.name,
            "short_name": bloc.short_name,
            "kind": bloc.kind,
            "level": bloc.level,
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "quorum_basis": bloc.quorum_basis,
            "rotation_policy": bloc.rotation_policy,
            "predecessor": theirs["bloc"].pk,
        },
    )
    _assert_form_refused(response)
    bloc.refresh_from_db()
    assert not bloc.predecessions.exists()


def test_another_provinces_unit_in_the_rotation_order_is_a_form_error(client, world, theirs):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:bloc_rotation", args=[world.bloc.pk]), {"pos_1": theirs["unit"].pk}
    )
    _assert_form_refused(response)
    assert not RotationSlot.objects.exists()


def test_registry_import_and_export_refuse_another_organizer(client, world):
    client.force_login(world.office)
    data = "Mã khối,Năm,Mã đơn vị,Tên đơn vị\nkhoi-x,2024,dv-x,Đơn vị X\n".encode()
    upload = io.BytesIO(data)
    upload.name = "danh-muc.csv"
    before = _snapshot()
    response = client.post(
        reverse("blocs:registry_import"), {"organizer": world.other_organizer.pk, "file": upload}
    )
    _assert_form_refused(response)
    assert _snapshot() == before
    response = client.get(
        reverse("blocs:registry_export", args=["csv"]) + f"?organizer={world.other_organizer.pk}"
    )
    assert response.status_code == 404
    own = client.get(reverse("blocs:registry_export", args=["csv"]))
    text = b"".join(own.streaming_content).decode("utf-8-sig")
    assert world.units[0].code in text
    assert world.other_bloc_year.bloc.code not in text
