"""View × role matrix for legal texts and signers, and the forms as a user fills them in."""

import datetime as dt

import pytest
from django.urls import reverse

from blocs.models import Level
from legal.models import BlocSigner, LegalText, UnitHead
from tests.factories import OrganizerFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def central_office():
    organizer = OrganizerFactory(
        code="trung-uong", name="Hội đồng TĐKT Trung ương", level=Level.CENTRAL
    )
    user = UserFactory(username="canbo-trunguong")
    grant(user, "office", organizer)
    return user


def _text_data(**over):
    data = {
        "scope": "national",
        "kind": "decree",
        "number": "99/2027/NĐ-CP",
        "title": "quy định chi tiết thi hành Luật Thi đua, khen thưởng",
        "issuer": "Chính phủ",
        "signed_on": "2027-05-01",
        "effective_from": "2027-07-01",
        "effective_until": "",
        "position": "20",
        "source": "Công báo số 1",
        "verified": "on",
        "replaces": "",
    }
    data.update(over)
    return data


LIST = {
    "superuser": 200,
    "office": 200,
    "other_office": 200,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}


@pytest.mark.parametrize("role,expected", LIST.items())
def test_office_staff_see_the_legal_texts_and_others_are_refused(client, world, role, expected):
    client.force_login(world.users()[role])
    assert client.get(reverse("legal:text_list")).status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in (reverse("legal:text_list"), reverse("legal:text_add")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_central_office_staff_add_a_national_text(client, world, central_office):
    client.force_login(world.office)
    response = client.post(reverse("legal:text_add"), _text_data())
    assert response.status_code == 400  # «Toàn quốc» is not one of their choices
    assert not LegalText.objects.filter(number="99/2027/NĐ-CP").exists()
    client.force_login(central_office)
    response = client.post(reverse("legal:text_add"), _text_data())
    assert response.status_code == 302
    text = LegalText.objects.get(number="99/2027/NĐ-CP")
    assert text.organizer is None and text.created_by == central_office


def test_province_staff_add_a_text_for_their_province_only(client, world):
    client.force_login(world.office)
    data = _text_data(scope=str(world.organizer.pk), kind="decision", number="86/2025/QĐ-UBND")
    assert client.post(reverse("legal:text_add"), data).status_code == 302
    assert LegalText.objects.get(number="86/2025/QĐ-UBND").organizer == world.organizer
    data = _text_data(scope=str(world.other_organizer.pk), kind="decision", number="1/2025/QĐ")
    assert client.post(reverse("legal:text_add"), data).status_code == 400
    assert not LegalText.objects.filter(number="1/2025/QĐ").exists()


def test_a_replacement_through_the_form_ends_the_old_text(client, world, central_office):
    old = LegalText.objects.get(number="152/2025/NĐ-CP")
    client.force_login(central_office)
    response = client.post(reverse("legal:text_add"), _text_data(replaces=str(old.pk)))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.effective_until == dt.date(2027, 6, 30)


def test_bad_dates_are_refused_with_a_vietnamese_message_and_nothing_saved(
    client, world, central_office
):
    client.force_login(central_office)
    response = client.post(
        reverse("legal:text_add"),
        _text_data(effective_from="2027-07-01", effective_until="2027-01-01"),
    )
    assert response.status_code == 400
    assert "Ngày hết hiệu lực phải sau ngày có hiệu lực." in response.content.decode()
    assert not LegalText.objects.filter(number="99/2027/NĐ-CP").exists()


EDIT = {
    "superuser": 200,
    "office": 403,
    "other_office": 403,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}


@pytest.mark.parametrize("role,expected", EDIT.items())
def test_only_those_who_keep_national_texts_may_edit_them(client, world, role, expected):
    text = LegalText.objects.get(number="06/2022/QH15")
    client.force_login(world.users()[role])
    assert client.get(reverse("legal:text_edit", args=[text.pk])).status_code == expected


def test_an_edit_is_saved_and_audited(client, world):
    text = LegalText.objects.get(number="15/2025/TT-BNV")
    client.force_login(world.superuser)
    data = _text_data(number=text.number, kind="circular", effective_from="2025-09-18")
    data["signed_on"] = "2025-08-04"
    response = client.post(reverse("legal:text_edit", args=[text.pk]), data)
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.effective_from == dt.date(2025, 9, 18)
    from blocs.models import AuditEvent

    assert AuditEvent.objects.filter(action="legal.text.edit", object_id=str(text.pk)).exists()


SIGNERS_VIEW = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 200,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("role,expected", SIGNERS_VIEW.items())
def test_people_of_the_bloc_see_who_signs(client, world, role, expected):
    client.force_login(world.users()[role])
    url = reverse("legal:bloc_year_signers", args=[world.bloc_year.pk])
    assert client.get(url).status_code == expected


HEAD_ADD = {
    "superuser": 302,
    "office": 302,
    "secretary": 403,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("role,expected", HEAD_ADD.items())
def test_only_office_staff_record_a_units_head(client, world, role, expected):
    client.force_login(world.users()[role])
    url = reverse("legal:unit_head_add", args=[world.bloc_year.pk])
    data = {"unit": world.units[2].pk, "title": "Giám đốc", "full_name": "Lê Văn C"}
    assert client.post(url, data).status_code == expected
    assert UnitHead.objects.filter(full_name="Lê Văn C").exists() == (expected == 302)


SIGNER_ADD = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("role,expected", SIGNER_ADD.items())
def test_whoever_runs_the_bloc_records_its_representative(client, world, role, expected):
    client.force_login(world.users()[role])
    url = reverse("legal:bloc_signer_add", args=[world.bloc_year.pk])
    data = {"role": "leader", "full_name": "Nguyễn Hoàng Lâm", "title": "Phó Chánh án"}
    assert client.post(url, data).status_code == expected
    assert BlocSigner.objects.filter(full_name="Nguyễn Hoàng Lâm").exists() == (expected == 302)


def test_a_unit_outside_the_bloc_cannot_be_given_a_head_from_its_page(client, world):
    client.force_login(world.office)
    stranger = world.other_bloc_year.memberships.first().unit
    url = reverse("legal:unit_head_add", args=[world.bloc_year.pk])
    response = client.post(url, {"unit": stranger.pk, "title": "Giám đốc", "full_name": "X"})
    assert response.status_code == 400
    assert not UnitHead.objects.filter(unit=stranger).exists()


def test_records_are_removed_only_by_those_who_may_record_them(client, world):
    head = UnitHead.objects.create(unit=world.units[0], title="Chánh án", full_name="A")
    url = reverse("legal:record_remove", args=[world.bloc_year.pk, "head", head.pk])
    client.force_login(world.secretary)
    assert client.post(url).status_code == 403
    client.force_login(world.office)
    assert client.post(url).status_code == 302
    assert not UnitHead.objects.filter(pk=head.pk).exists()
    other = UnitHead.objects.create(
        unit=world.other_bloc_year.memberships.first().unit, title="Giám đốc", full_name="B"
    )
    url = reverse("legal:record_remove", args=[world.bloc_year.pk, "head", other.pk])
    assert client.post(url).status_code == 404
    assert UnitHead.objects.filter(pk=other.pk).exists()


def test_the_signers_page_shows_the_heads_and_asks_for_missing_names(client, world):
    UnitHead.objects.create(
        unit=world.units[0], title="Chánh Thanh tra tỉnh", full_name="Trần Quang Ứng"
    )
    client.force_login(world.office)
    page = client.get(
        reverse("legal:bloc_year_signers", args=[world.bloc_year.pk])
    ).content.decode()
    assert "Trần Quang Ứng" in page and "Chánh Thanh tra tỉnh" in page
    assert page.count("chưa ghi") >= 7


def test_the_signers_page_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.office)
    url = reverse("legal:bloc_year_signers", args=[world.bloc_year.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    from tests.factories import MembershipFactory

    for _ in range(10):
        MembershipFactory(bloc_year=world.bloc_year)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
