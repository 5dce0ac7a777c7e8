"""Vietnamese for every message: Django's own strings its vi catalogue lacks (the blank choice,
the slug format, the CSRF page), the language switch, and the admin."""

from django.db.models.fields import BLANK_CHOICE_LABEL
from django.test import Client
from django.urls import reverse
from django.utils import translation


def test_django_61s_blank_choice_label_is_vietnamese():
    with translation.override("vi"):
        assert str(BLANK_CHOICE_LABEL) == "— Chọn —"
    with translation.override("en"):
        assert str(BLANK_CHOICE_LABEL) == "- Select an option -"


def test_a_bad_unit_code_says_the_format_in_vietnamese(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:unit_create"),
        {"organizer": world.organizer.pk, "code": "công an tỉnh", "name": "Công an tỉnh"},
    )
    assert response.status_code == 422
    text = response.text
    assert "Chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang (-) hoặc gạch dưới (_)" in text
    assert "ví dụ: cong-an-tinh" in text
    assert "slug" not in text


def test_the_csrf_failure_page_is_vietnamese_and_says_what_to_do(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.post(reverse("accounts:user_create"), {"full_name": "X"})
    assert response.status_code == 403
    text = response.text
    assert "Biểu mẫu đã hết hiệu lực" in text
    assert "Hãy quay lại trang trước, tải lại trang rồi gửi lại." in text
    assert "CSRF verification failed" not in text and "Forbidden" not in text


def test_the_language_switch_names_each_language_in_itself(client, world):
    client.force_login(world.office)
    text = client.get(reverse("dashboard")).text
    assert '<option value="en" lang="en">English</option>' in text
    assert "Tiếng Anh" not in text
    assert "Tiếng Việt</option>" in text


def test_the_admin_index_names_apps_and_models_in_vietnamese(client, world):
    client.force_login(world.superuser)
    text = client.get("/admin/").text
    for english in (">Users<", ">Groups<", ">Organizers<", ">Blocs<", ">Units<", ">Invitations<"):
        assert english not in text
    assert "Người sử dụng" in text and "Thư mời" in text and "Đơn vị" in text


def test_htmx_requests_after_the_session_ended_get_a_client_redirect_to_login(client, world):
    response = client.post(
        reverse("accounts:user_create"),
        {"full_name": "X"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/accounts/new/?a=1"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2Faccounts%2Fnew%2F%3Fa%3D1"


def test_the_login_redirect_never_sends_the_user_to_another_site(client, world):
    response = client.get(
        reverse("accounts:user_list"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/steal"},
    )
    assert response["HX-Redirect"] == "/login/"
