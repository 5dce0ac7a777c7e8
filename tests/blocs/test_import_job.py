"""Issue 12: a registry import above REGISTRY_IMPORT_JOB_ROWS data rows runs as a background job
(progress bar, then the Vietnamese report); nothing is saved unless every row passes; only the
requester and the office staff of the import's organizer see
the job."""

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import Bloc, Unit
from blocs.registry import ImportFileError, import_row_count
from blocs.registry_jobs import IMPORT_DIR
from jobs.models import Job
from jobs.testing import run_jobs, task_queue  # noqa: F401 - fixture

from ..factories import UserFactory, grant
from .test_import_export import GOOD, HEADER, counts, rows_to_csv, rows_to_xlsx

HX = {"HTTP_HX_REQUEST": "true"}


def _post(client, world, name, data, **extra):
    return client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": SimpleUploadedFile(name, data)},
        **extra,
    )


def _stored_imports() -> list[str]:
    if not default_storage.exists(IMPORT_DIR):
        return []
    return default_storage.listdir(IMPORT_DIR)[1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_row_count_is_the_number_of_data_rows(fmt):
    data = rows_to_csv(GOOD) if fmt == "csv" else rows_to_xlsx(GOOD)
    assert import_row_count(f"a.{fmt}", data) == len(GOOD) == 5


def test_row_count_refuses_a_hostile_file_before_parsing():
    with pytest.raises(ImportFileError):
        import_row_count("bom.xlsx", b"PK\x03\x04 not a zip at all")


def test_below_the_threshold_the_import_runs_in_the_request(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 5
    client.force_login(world.office)
    response = _post(client, world, "ok.csv", rows_to_csv(GOOD))
    assert response.status_code == 302
    assert response["Location"] == reverse("blocs:registry_import")
    assert not Job.objects.exists()
    assert counts(world.organizer)[0] >= 4


@pytest.mark.usefixtures("task_queue")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_above_the_threshold_a_job_imports_and_reports(client, world, settings, fmt):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    client.force_login(world.office)
    before = counts(world.organizer)
    data = rows_to_csv(GOOD) if fmt == "csv" else rows_to_xlsx(GOOD)
    response = _post(client, world, f"lon.{fmt}", data)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    # Queued, not run: nothing saved yet, the upload waits in the shared storage.
    assert job.status == Job.Status.QUEUED
    assert counts(world.organizer) == before
    assert len(_stored_imports()) == 1
    page = client.get(response["Location"]).content.decode()
    assert f"Nhập danh mục khối thi đua từ lon.{fmt}" in page
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page

    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert Bloc.objects.filter(organizer=world.organizer, code="knc").exists()
    assert Unit.objects.filter(organizer=world.organizer, code="so-tu-phap").exists()
    assert job.result["rows"] == 5
    assert job.result["created"]["blocs"] == 1
    assert job.message.startswith("Đã nhập 5 dòng: ")
    assert "tạo mới 1 khối" in job.message
    assert _stored_imports() == []  # the upload is deleted once imported

    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "every 1s" not in page
    assert "(100%)" in page
    assert "Đã nhập 5 dòng" in page
    assert f'href="{reverse("blocs:registry_import")}"' in page

    # The same file again: the job reports that nothing changed.
    _post(client, world, f"lon.{fmt}", data)
    assert run_jobs() == 1
    again = Job.objects.order_by("-created_at").first()
    assert again.status == Job.Status.SUCCEEDED
    assert again.message == "Đã đọc 5 dòng: danh mục đã khớp, không có gì thay đổi."


def test_htmx_upload_above_the_threshold_goes_to_the_job_page(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    client.force_login(world.office)
    response = _post(client, world, "lon.csv", rows_to_csv(GOOD), **HX)
    job = Job.objects.get()
    assert response["HX-Redirect"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED  # the test backend runs it at once


def test_a_failing_row_saves_nothing_and_the_errors_are_shown(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    client.force_login(world.office)
    before = counts(world.organizer)
    bad = GOOD + [
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", "hai nghìn", "bchqs", "Bộ CHQS", "", ""]
    ]
    response = _post(client, world, "loi.csv", rows_to_csv(bad))
    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp có 1 lỗi; chưa lưu gì."
    assert any("Dòng 7, cột «Năm»" in e for e in job.result["errors"])
    # All or nothing: the five good rows were not saved either.
    assert counts(world.organizer) == before
    assert not Bloc.objects.filter(organizer=world.organizer, code="knc").exists()
    assert _stored_imports() == []
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "Tệp có 1 lỗi; chưa lưu gì." in page
    assert "Dòng 7, cột «Năm»" in page


def test_a_hostile_file_is_refused_in_the_request_without_a_job(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 0
    client.force_login(world.office)
    response = _post(client, world, "bom.xlsx", b"PK\x03\x04 not a zip at all")
    assert response.status_code == 422
    assert "Không đọc được tệp Excel" in response.content.decode()
    assert not Job.objects.exists()


def _import_job_url(client, world) -> str:
    client.force_login(world.office)
    _post(client, world, "lon.csv", rows_to_csv(GOOD))
    job = Job.objects.get()
    assert job.owner == world.office
    url = reverse("jobs:job_detail", args=[job.pk])
    assert client.get(url).status_code == 200
    return url


def test_an_office_colleague_of_the_same_organizer_sees_the_job_and_its_report(
    client, world, settings
):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    url = _import_job_url(client, world)
    colleague = UserFactory(username="canbo-2")
    grant(colleague, "office", world.organizer)
    client.force_login(colleague)
    page = client.get(url)
    assert page.status_code == 200
    assert "Đã nhập 5 dòng" in page.text
    assert client.get(url, **HX).status_code == 200


@pytest.mark.parametrize(
    "role", ["other_office", "secretary", "delegate", "outsider", "nobody", "superuser"]
)
def test_the_job_is_404_outside_the_office_of_its_organizer(client, world, settings, role):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    url = _import_job_url(client, world)
    client.force_login(world.users()[role])
    expected = 200 if role == "superuser" else 404
    assert client.get(url).status_code == expected
    assert client.get(url, **HX).status_code == expected


def test_a_delegate_of_a_unit_of_the_same_organizer_does_not_see_the_job(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    url = _import_job_url(client, world)
    assert world.delegate.role_assignments.get().unit.organizer == world.organizer
    client.force_login(world.delegate)
    assert client.get(url).status_code == 404


def test_a_user_without_the_office_role_cannot_start_an_import_job(client, world, settings):
    settings.REGISTRY_IMPORT_JOB_ROWS = 0
    client.force_login(world.users()["delegate"])
    response = _post(client, world, "lon.csv", rows_to_csv(GOOD))
    assert response.status_code in (403, 404)
    assert not Job.objects.exists()


def _write_only_xlsx(rows) -> bytes:
    """A workbook written in write-only mode declares no dimension: the rows must be streamed."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_xlsx_without_a_declared_dimension_is_counted_only_as_far_as_needed():
    data = _write_only_xlsx(GOOD * 4)
    assert import_row_count("a.xlsx", data) == 20
    # Above the threshold is all the view needs to know: it stops reading there.
    assert import_row_count("a.xlsx", data, stop_above=3) == 4
    assert import_row_count("a.xlsx", data, stop_above=50) == 20


def test_a_small_declared_dimension_does_not_keep_a_big_file_in_the_request(
    client, world, settings
):
    """An XLSX may declare A1:I2 over thousands of rows: counted by streaming, it goes to a job."""
    from tests.core import hostile_files as h

    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    data = h.xlsx_bytes(h.sheet_xml([HEADER, *GOOD], dimension="A1:I2"))
    assert import_row_count("a.xlsx", data, stop_above=4) == 5
    assert import_row_count("a.xlsx", data, stop_above=50) == 5
    client.force_login(world.office)
    response = _post(client, world, "nho-ma-lon.xlsx", data)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.message  # the test backend runs it at once
    assert job.result["rows"] == 5


def test_a_csv_over_the_row_limit_is_refused_in_the_request(client, world, settings, monkeypatch):
    monkeypatch.setattr("blocs.registry.MAX_ROWS", 4)
    settings.REGISTRY_IMPORT_JOB_ROWS = 2
    # A line break inside a cell is a line, not a row: 4 rows on 6 lines pass the limit.
    ok = rows_to_csv(GOOD[:3]) + 'knc,"Khối\r\nNội chính"\r\n'.encode()
    assert ok.count(b"\n") == 6
    assert import_row_count("a.csv", ok, stop_above=2) == 4
    before = counts(world.organizer)
    client.force_login(world.office)
    response = _post(client, world, "qua-nhieu.csv", rows_to_csv(GOOD))
    assert response.status_code == 422
    assert (
        "Tệp có quá 4 dòng dữ liệu (tối đa 4 dòng sau dòng tiêu đề)." in response.content.decode()
    )
    assert not Job.objects.exists()
    assert counts(world.organizer) == before
