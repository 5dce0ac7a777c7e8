"""Office staff manage blocs, years, members and leaders through the real forms (htmx and plain)."""

import datetime as dt

from django.urls import reverse

from blocs.models import AuditEvent, Bloc, BlocYear, LeadershipTerm, Membership, Unit

from ..factories import UnitFactory

HX = {"HTTP_HX_REQUEST": "true"}


def test_office_creates_a_bloc_with_the_full_page_form(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:bloc_create"),
        {
            "organizer": world.organizer.pk,
            "code": "khoi-kinh-te",
            "name": "Khối thi đua Kinh tế",
            "short_name": "KKT",
            "kind": "khoi",
            "level": "province",
            "description": "",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "quorum_basis": "Quy chế",
            "rotation_policy": "order",
            "max_vote_rounds": 3,
            "tie_break_rule": "chair",
            "voting_basis": "Quy chế Khối Kinh tế",
            "predecessor": "",
        },
    )
    bloc = Bloc.objects.get(code="khoi-kinh-te")
    assert response.status_code == 302
    assert (bloc.max_vote_rounds, bloc.tie_break_rule) == (3, "chair")
    assert response["Location"] == reverse("blocs:bloc_detail", args=[bloc.pk])
    assert AuditEvent.objects.filter(action="bloc.create", object_id=str(bloc.pk)).exists()


def test_bloc_form_shows_inline_vietnamese_errors_under_htmx_and_saves_nothing(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:bloc_create"),
        {
            "organizer": world.organizer.pk,
            "code": world.bloc.code,
            "name": "",
            "kind": "khoi",
            "level": "province",
            "quorum_numerator": 3,
            "quorum_denominator": 2,
            "rotation_policy": "order",
        },
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in body  # only the form partial comes back
    assert "đã được dùng" in body  # duplicate code
    assert "Túc số không được vượt quá" in body
    assert "Trường này là bắt buộc" in body  # empty name
    assert Bloc.objects.filter(organizer=world.organizer).count() == 1


def test_htmx_success_answers_with_a_client_redirect(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:bloc_year_create", args=[world.bloc.pk]),
        {
            "year": 2025,
            "plan_reference": "Kế hoạch số 12/KH-KNC ngày 15/01/2025",
            "notes": "",
            "copy_members": "on",
        },
        **HX,
    )
    new_year = BlocYear.objects.get(bloc=world.bloc, year=2025)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("blocs:bloc_year_detail", args=[new_year.pk])
    assert new_year.memberships.count() == 8  # copied from 2024


def test_creating_a_year_twice_is_refused_with_a_clear_message(client, world):
    client.force_login(world.office)
    response = client.post(reverse("blocs:bloc_year_create", args=[world.bloc.pk]), {"year": 2024})
    assert response.status_code == 422
    assert "Khối đã có năm thi đua 2024" in response.content.decode()
    assert BlocYear.objects.filter(bloc=world.bloc, year=2024).count() == 1


def test_office_adds_and_removes_a_member_with_htmx_partials(client, world):
    client.force_login(world.office)
    newcomer = UnitFactory(organizer=world.organizer, name="Sở Tư pháp")
    url = reverse("blocs:membership_add", args=[world.bloc_year.pk])
    response = client.post(
        url, {"unit": newcomer.pk, "joined_on": "2024-07-01", "note": "Bổ sung giữa năm"}, **HX
    )
    assert response.status_code == 200
    assert 'id="members"' in response.content.decode()
    assert "Sở Tư pháp" in response.content.decode()
    membership = Membership.objects.get(bloc_year=world.bloc_year, unit=newcomer)
    assert membership.joined_on == dt.date(2024, 7, 1)

    response = client.post(
        reverse("blocs:membership_remove", args=[world.bloc_year.pk, membership.pk]), **HX
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_member_join_date_outside_the_year_is_rejected(client, world):
    client.force_login(world.office)
    newcomer = UnitFactory(organizer=world.organizer)
    response = client.post(
        reverse("blocs:membership_add", args=[world.bloc_year.pk]),
        {"unit": newcomer.pk, "joined_on": "2023-12-31"},
    )
    assert response.status_code == 422
    assert "Ngày phải nằm trong năm 2024" in response.content.decode()
    assert not Membership.objects.filter(unit=newcomer).exists()


def test_the_leader_cannot_be_removed_from_the_year(client, world):
    client.force_login(world.office)
    leader_membership = world.bloc_year.memberships.get(unit=world.units[0])
    response = client.post(
        reverse("blocs:membership_remove", args=[world.bloc_year.pk, leader_membership.pk])
    )
    assert response.status_code == 302
    assert Membership.objects.filter(pk=leader_membership.pk).exists()
    follow = client.get(response["Location"])
    assert "đang là Khối trưởng hoặc Khối phó" in follow.content.decode()


def test_office_sets_the_deputy_and_the_page_shows_it(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:leadership_set", args=[world.bloc_year.pk]),
        {"role": "deputy", "unit": world.units[2].pk, "method": "appointed", "reason": ""},
    )
    assert response.status_code == 302
    term = LeadershipTerm.objects.get(bloc_year=world.bloc_year, role="deputy")
    assert term.unit == world.units[2] and term.status == "confirmed"
    page = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])).content.decode()
    assert world.units[2].name in page


def test_the_same_unit_cannot_be_leader_and_deputy(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:leadership_set", args=[world.bloc_year.pk]),
        {"role": "deputy", "unit": world.units[0].pk, "method": "appointed"},
        **HX,
    )
    assert response.status_code == 422
    assert "vừa là Khối trưởng vừa là Khối phó" in response.content.decode()
    assert not LeadershipTerm.objects.filter(bloc_year=world.bloc_year, role="deputy").exists()


def test_archiving_a_bloc_hides_it_from_the_dashboard_until_asked(client, world):
    client.force_login(world.office)
    client.post(reverse("blocs:bloc_archive", args=[world.bloc.pk]))
    assert world.bloc.name not in client.get(reverse("dashboard")).content.decode()
    assert world.bloc.name in client.get(reverse("dashboard"), {"archived": "1"}).content.decode()
    client.post(reverse("blocs:bloc_archive", args=[world.bloc.pk]), {"restore": "1"})
    assert world.bloc.name in client.get(reverse("dashboard")).content.decode()


def test_office_creates_and_edits_a_unit_but_renames_only_through_rename(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:unit_create"),
        {
            "organizer": world.organizer.pk,
            "code": "so-cong-thuong",
            "name": "Sở Công Thương",
            "short_name": "SCT",
            "head_title": "Giám đốc Sở",
        },
    )
    unit = Unit.objects.get(code="so-cong-thuong")
    assert response.status_code == 302
    response = client.post(
        reverse("blocs:unit_edit", args=[unit.pk]),
        {
            "code": "so-cong-thuong",
            "name": "Tên khác",
            "short_name": "Sở CT",
            "head_title": "Giám đốc",
        },
    )
    unit.refresh_from_db()
    assert response.status_code == 302
    assert unit.short_name == "Sở CT"
    assert unit.name == "Sở Công Thương"  # the name field is disabled on edit


def test_unit_form_rejects_spreadsheet_formulas_and_control_characters(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:unit_create"),
        {
            "organizer": world.organizer.pk,
            "code": "x1",
            "name": '=HYPERLINK("http://x")',
            "short_name": "a\x07b",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Không được bắt đầu bằng =, + hoặc @" in body
    assert "Không được chứa ký tự điều khiển" in body
    assert not Unit.objects.filter(code="x1").exists()


def test_rotation_order_is_saved_and_duplicates_are_rejected(client, world):
    client.force_login(world.office)
    url = reverse("blocs:bloc_rotation", args=[world.bloc.pk])
    dup = {"pos_1": world.units[0].pk, "pos_2": world.units[0].pk}
    response = client.post(url, dup)
    assert response.status_code == 422
    assert "chỉ được xuất hiện một lần" in response.content.decode()
    ok = {f"pos_{i + 1}": u.pk for i, u in enumerate(world.units[:4])}
    response = client.post(url, ok)
    assert response.status_code == 302
    assert list(world.bloc.rotation_slots.values_list("unit_id", flat=True)) == [
        u.pk for u in world.units[:4]
    ]


def test_post_without_csrf_token_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.post(reverse("blocs:bloc_archive", args=[world.bloc.pk]))
    assert response.status_code == 403
    world.bloc.refresh_from_db()
    assert world.bloc.archived_at is None


def test_htmx_post_with_csrf_header_is_accepted(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    page = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("blocs:bloc_archive", args=[world.bloc.pk]), HTTP_X_CSRFTOKEN=token, **HX
    )
    assert response.status_code == 200 and response["HX-Redirect"]
    world.bloc.refresh_from_db()
    assert world.bloc.archived_at is not None


def test_office_records_a_unit_leaving_mid_year_and_dates_outside_the_year_are_refused(
    client, world
):
    client.force_login(world.office)
    membership = world.bloc_year.memberships.get(unit=world.units[4])
    url = reverse("blocs:membership_edit", args=[world.bloc_year.pk, membership.pk])
    response = client.post(url, {"joined_on": "", "left_on": "2025-01-05", "note": ""})
    assert response.status_code == 422
    assert "Ngày phải nằm trong năm 2024" in response.content.decode()
    response = client.post(url, {"joined_on": "2024-03-01", "left_on": "2024-02-01", "note": ""})
    assert response.status_code == 422
    response = client.post(
        url, {"joined_on": "", "left_on": "2024-06-30", "note": "Hợp nhất từ 01/7"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2024, 6, 30) and membership.note == "Hợp nhất từ 01/7"
    page = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])).content.decode()
    assert "đến 30/06/2024" in page


def test_a_new_poll_starts_from_the_blocs_voting_rules(client, world):
    from meetings.models import Meeting

    world.bloc.max_vote_rounds, world.bloc.tie_break_rule, world.bloc.voting_basis = (
        3,
        "chair",
        "TT 01/2024/TT-TANDTC",
    )
    world.bloc.save()
    meeting = Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Tổng kết",
        starts_at=dt.datetime(2024, 12, 5, 8, 0, tzinfo=dt.UTC),
    )
    client.force_login(world.office)
    form = client.get(reverse("meetings:poll_create", args=[meeting.pk])).context["form"]
    assert form["max_rounds"].value() == 3
    assert form["tie_break_rule"].value() == "chair"
    assert form["basis"].value() == "TT 01/2024/TT-TANDTC"


def test_vote_rounds_outside_one_to_ten_are_refused(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:bloc_edit", args=[world.bloc.pk]),
        {
            "code": world.bloc.code,
            "name": world.bloc.name,
            "kind": "khoi",
            "level": "province",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "rotation_policy": "order",
            "max_vote_rounds": 0,
        },
    )
    assert response.status_code == 422
    assert "Số vòng bỏ phiếu tối đa phải từ 1 đến 10" in response.content.decode()
