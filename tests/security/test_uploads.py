"""Registry uploads: limited in size and type, read in memory, never stored or served back."""

import io
import os

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from blocs.models import Unit

HEADER = "Mã khối,Tên khối,Loại,Cấp,Năm,Mã đơn vị,Tên đơn vị,Tên viết tắt,Vai trò\n"


def _upload(name: str, data: bytes):
    f = io.BytesIO(data)
    f.name = name
    return f


def _post(client, world, name, data):
    return client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": _upload(name, data)},
    )


def _media_files() -> list[str]:
    root = django_settings.MEDIA_ROOT
    found = []
    for dirpath, _dirs, files in os.walk(root) if os.path.isdir(root) else []:
        found += [os.path.join(dirpath, f) for f in files]
    return found


@pytest.mark.parametrize(
    "name",
    [
        "danh-muc.html",
        "danh-muc.svg",
        "danh-muc.exe",
        "danh-muc.xlsx.php",
        "danh-muc.xls",
        "danh-muc",
    ],
)
def test_files_other_than_xlsx_or_csv_are_refused(client, world, name):
    client.force_login(world.office)
    response = _post(client, world, name, b"<html><script>alert(1)</script></html>")
    assert response.status_code == 422
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in response.content.decode()
    assert Unit.objects.count() == 12


def test_a_file_over_the_size_limit_is_refused_with_the_limit_in_the_message(
    client, world, settings
):
    settings.MAX_IMPORT_BYTES = 2 * 1024 * 1024
    client.force_login(world.office)
    data = (HEADER + ",,,,,dv-1,Đơn vị,,\n" * 120_000).encode()
    assert len(data) > settings.MAX_IMPORT_BYTES
    response = _post(client, world, "lon.csv", data)
    assert response.status_code == 422
    assert "Tệp quá lớn (tối đa 2 MB)." in response.content.decode()
    assert Unit.objects.count() == 12


def test_an_html_file_named_xlsx_is_refused_as_not_a_spreadsheet(client, world):
    client.force_login(world.office)
    response = _post(client, world, "bay.xlsx", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 422
    assert "không phải bảng tính Excel" in response.content.decode()


def test_a_zip_bomb_like_broken_xlsx_gives_a_clear_error(client, world):
    client.force_login(world.office)
    response = _post(client, world, "hong.xlsx", b"PK\x03\x04" + b"\x00" * 5000)
    assert response.status_code == 422
    assert "Không đọc được tệp Excel" in response.content.decode()


def test_a_csv_that_is_not_utf8_gives_a_clear_error(client, world):
    client.force_login(world.office)
    response = _post(client, world, "sai-ma.csv", HEADER.encode("utf-16"))
    assert response.status_code == 422
    assert "UTF-8" in response.content.decode()


def test_uploaded_content_and_filename_are_escaped_and_never_stored(client, world):
    client.force_login(world.office)
    before = _media_files()
    data = (
        HEADER + "khoi-x,<script>alert(1)</script>,Khối,Tỉnh,2024,<img src=x onerror=alert(1)>,"
        "<b>X</b>,,\n"
    ).encode()
    response = _post(client, world, '"><script>alert(2)</script>.csv', data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert response["Content-Type"].startswith("text/html")
    assert _media_files() == before
    assert Unit.objects.count() == 12


def test_a_valid_import_is_not_stored_as_a_file(client, world):
    client.force_login(world.office)
    before = _media_files()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(["khoi-moi", "Khối mới", "Khối", "Tỉnh", 2025, "dv-moi", "Đơn vị mới", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    response = _post(client, world, "danh-muc.xlsx", buf.getvalue())
    assert response.status_code == 302
    assert Unit.objects.filter(code="dv-moi", name="Đơn vị mới").exists()
    assert _media_files() == before


def test_exports_are_attachments_that_browsers_do_not_sniff(client, world):
    client.force_login(world.office)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("blocs:registry_export", args=[fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "html" not in response["Content-Type"]


# --- signed scans of documents ----------------------------------------------------------------


@pytest.fixture
def version(world, settings, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from documents import services as documents
    from meetings import services as meetings

    settings.MEDIA_ROOT = tmp_path
    meeting = meetings.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
        # What the minutes need before they can be locked (chair, secretary, end, place).
        ends_at=timezone.make_aware(dt.datetime(2024, 11, 21, 11, 0)),
        place="Hội trường UBND tỉnh",
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Minh Đức, Chánh Văn phòng",
    )
    return documents.document_finalize(
        kind="minutes", subject=meeting, actor=world.office, base_url="https://khoithidua.example"
    )


def _scan_upload(client, version, name, data):
    return client.post(
        reverse("documents:version_scan_upload", args=[version.pk]),
        {"scan": _upload(name, data)},
        follow=True,
    )


def test_an_html_page_named_pdf_is_refused_as_a_signed_scan(client, world, version):
    client.force_login(world.office)
    response = _scan_upload(
        client, version, "ban-scan.pdf", b"<html><script>alert(1)</script></html>"
    )
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in response.content.decode()
    version.refresh_from_db()
    assert not version.scan


def test_a_scan_over_ten_megabytes_is_refused(client, world, version):
    client.force_login(world.office)
    response = _scan_upload(
        client, version, "ban-scan.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 1)
    )
    assert "Tệp quá lớn: tối đa 10 MB." in response.content.decode()
    version.refresh_from_db()
    assert not version.scan


def test_a_signed_scan_is_only_served_as_a_sandboxed_attachment(client, world, version, settings):
    client.force_login(world.office)
    _scan_upload(client, version, "ban-scan.pdf", version.pdf_bytes)
    version.refresh_from_db()
    assert version.scan
    # Nothing under MEDIA_ROOT is reachable by URL: only through the view below, with its checks.
    assert client.get("/media/" + version.scan.name).status_code == 404
    response = client.get(reverse("documents:version_scan", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"  # the test client closes the file
    client.force_login(world.other_office)
    assert client.get(reverse("documents:version_scan", args=[version.pk])).status_code == 404
