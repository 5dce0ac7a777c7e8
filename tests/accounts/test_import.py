"""Accounts from the registry file's extra columns: all-or-nothing, idempotent, invited."""

import csv
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import RoleAssignment
from tests.factories import UserFactory

User = get_user_model()
HEADER = ["Mã khối", "Năm", "Mã đơn vị", "Tên đơn vị", "Họ tên đại biểu", "Email đại biểu",
          "Họ tên thư ký", "Email thư ký"]  # fmt: skip


def _csv(rows) -> SimpleUploadedFile:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("danh-muc.csv", buf.getvalue().encode("utf-8"), "text/csv")


def _rows(world):
    bloc = world.bloc.code
    u = world.units
    return [
        [bloc, "2024", u[0].code, u[0].name, "Lê Thị Hoa", "hoa@ca.gov.vn", "Phạm Thư", "thu@snv.gov.vn"],
        [bloc, "2024", u[1].code, u[1].name, "", "", "Phạm Thư", "thu@snv.gov.vn"],
        [bloc, "2024", u[2].code, u[2].name, "Đỗ Văn Minh", "minh@vks.gov.vn", "", ""],
    ]  # fmt: skip


def _post(client, world, upload, capture):
    with capture(execute=True):
        return client.post(
            reverse("accounts:account_import"),
            {"organizer": world.organizer.pk, "file": upload},
            headers={"HX-Request": "true"},
        )


def test_import_creates_accounts_with_roles_invites_them_and_a_second_run_changes_nothing(
    client, world, smtp, django_capture_on_commit_callbacks
):
    client.force_login(world.office)
    response = _post(client, world, _csv(_rows(world)), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    # The result shows where the import was started (the htmx panel), not on a later page.
    assert 'id="import-panel"' in response.text
    assert "tạo 3 tài khoản mới" in response.text
    hoa = User.objects.get(email="hoa@ca.gov.vn")
    assert hoa.get_full_name() == "Lê Thị Hoa"
    assert RoleAssignment.objects.filter(user=hoa, role="delegate", unit=world.units[0]).exists()
    thu = User.objects.get(email="thu@snv.gov.vn")
    assert RoleAssignment.objects.filter(user=thu, role="secretary", bloc=world.bloc).count() == 1
    smtp.wait_for(3)
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "hoa@ca.gov.vn",
        "minh@vks.gov.vn",
        "thu@snv.gov.vn",
    ]
    again = _post(client, world, _csv(_rows(world)), django_capture_on_commit_callbacks)
    assert "không có gì thay đổi" in again.text
    assert User.objects.filter(email__endswith=".gov.vn").count() == 3
    assert len(smtp.messages) == 3


def test_an_existing_account_gets_the_new_role_without_a_new_account(
    client, world, django_capture_on_commit_callbacks
):
    UserFactory(username="hoa", email="HOA@ca.gov.vn")
    client.force_login(world.office)
    response = _post(client, world, _csv(_rows(world)[:1]), django_capture_on_commit_callbacks)
    assert "thêm 1 vai trò cho tài khoản có sẵn" in response.text
    assert User.objects.filter(email__iexact="hoa@ca.gov.vn").count() == 1


def test_any_bad_row_saves_nothing_and_names_row_and_column(
    client, world, django_capture_on_commit_callbacks
):
    rows = _rows(world)
    rows.append([world.bloc.code, "2024", "khong-co", "X", "Ai Đó", "aido@example.org", "", ""])
    rows.append(
        [world.bloc.code, "2024", world.units[3].code, "Y", "Vũ", "khong-phai-email", "", ""]
    )
    rows.append(
        [world.bloc.code, "2024", world.units[4].code, "Z", "Lê Thị Khác", "hoa@ca.gov.vn", "", ""]
    )
    rows.append([world.bloc.code, "2024", world.units[5].code, "W", "=HYPERLINK()", "x@example.org", "", ""])  # fmt: skip
    client.force_login(world.office)
    response = _post(client, world, _csv(rows), django_capture_on_commit_callbacks)
    assert response.status_code == 422
    text = response.text
    assert (
        "Dòng 5, cột «Mã đơn vị»: không có đơn vị mã «khong-co»; hãy nhập danh mục trước." in text
    )
    assert (
        "Dòng 6, cột «Email đại biểu»: «khong-phai-email» không phải là địa chỉ email hợp lệ"
        in text
    )
    assert (
        "Dòng 7, cột «Họ tên đại biểu»: email hoa@ca.gov.vn đã ghi với họ tên «Lê Thị Hoa» ở dòng 2"
        in text
    )
    assert "Dòng 8, cột «Họ tên đại biểu»: không được bắt đầu bằng =, + hoặc @." in text
    assert not User.objects.filter(email__endswith=".gov.vn").exists()


def test_a_file_without_account_columns_says_which_columns_to_add(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("a.csv", "Mã khối,Mã đơn vị\nk,u\n".encode(), "text/csv")
    response = client.post(
        reverse("accounts:account_import"), {"organizer": world.organizer.pk, "file": upload}
    )
    assert response.status_code == 422
    assert "Tệp không có cột tài khoản nào." in response.text


def test_an_office_cannot_import_into_another_province(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("accounts:account_import"),
        {"organizer": world.other_organizer.pk, "file": _csv(_rows(world))},
    )
    assert response.status_code == 422
    assert not User.objects.filter(email__endswith=".gov.vn").exists()
