"""Issue 15: a registry export above REGISTRY_EXPORT_JOB_ROWS runs as a background job (progress
bar, then a download link for the user who asked and the organizer's office staff only)."""

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from blocs.models import Membership, Unit
from blocs.registry import export_csv, export_row_count, export_rows
from blocs.registry_jobs import registry_export_job
from jobs.models import Job
from jobs.services import job_start
from jobs.testing import run_jobs, task_queue  # noqa: F401 - fixture
from tests.jobs import sample_jobs

from ..factories import UserFactory, grant


def _rows_of_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_row_count_matches_what_the_export_writes(world):
    Unit.objects.create(organizer=world.organizer, code="don-vi-le", name="Đơn vị chưa vào khối")
    ids = [world.organizer.pk]
    assert export_row_count(ids) == len(list(export_rows(ids))) - 1 == 9


def test_below_the_threshold_the_file_is_answered_directly(client, world, settings):
    settings.REGISTRY_EXPORT_JOB_ROWS = 8
    client.force_login(world.office)
    response = client.get(reverse("blocs:registry_export", args=["csv"]))
    assert response.status_code == 200
    assert _body(response) == export_csv([world.organizer.pk])
    assert not Job.objects.exists()


@pytest.mark.usefixtures("task_queue")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_above_the_threshold_a_job_writes_the_same_file(client, world, settings, fmt):
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    client.force_login(world.office)
    response = client.get(reverse("blocs:registry_export", args=[fmt]))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    # Queued, not run: the page shows the progress bar that polls itself.
    assert job.status == Job.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "Xuất danh mục khối thi đua" in page
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    assert "registry/export/" not in page

    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert (job.done, job.total, job.percent) == (8, 8, 100)
    assert job.message == "Đã xuất 8 dòng. Tệp sẵn sàng để tải về."
    download_url = reverse("blocs:registry_export_download", args=[job.pk])
    assert job.result_url == download_url
    assert default_storage.exists(job.result["path"])

    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "every 1s" not in page
    assert f'href="{download_url}"' in page
    assert "Tải tệp danh-muc-khoi-thi-dua-" in page
    assert "(100%)" in page

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert f".{fmt}" in download["Content-Disposition"]
    data = _body(download)
    settings.REGISTRY_EXPORT_JOB_ROWS = 1000
    direct = _body(client.get(reverse("blocs:registry_export", args=[fmt])))
    if fmt == "csv":
        assert data == direct  # byte for byte
    else:
        # The ZIP entries carry their write time: compare the sheets cell by cell.
        assert _rows_of_xlsx(data) == _rows_of_xlsx(direct)
        assert len(_rows_of_xlsx(data)) == 9


def test_progress_is_reported_row_by_row_while_the_job_runs(world, settings, monkeypatch):
    seen = []
    original = Job.report

    def spy(self, *, done, total=None, message=""):
        seen.append((done, total))
        return original(self, done=done, total=total, message=message)

    monkeypatch.setattr(Job, "report", spy)
    job = job_start(
        func=registry_export_job,
        title="Xuất",
        owner=world.office,
        kwargs={"organizer_ids": [world.organizer.pk], "fmt": "csv", "filename": "a.csv"},
    )
    assert job.status == Job.Status.SUCCEEDED
    # 0 before the first row, one per data row, then once more when the file is stored.
    assert [done for done, _ in seen] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 8]
    assert {total for _, total in seen} == {8}


@pytest.fixture
def finished_job(client, world, settings):
    """An export job started by the office of Bắc Ninh (run at once by the test backend)."""
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    client.force_login(world.office)
    client.get(reverse("blocs:registry_export", args=["csv"]))
    client.logout()
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED
    return job


def test_another_office_user_of_the_same_organizer_may_download(client, world, finished_job):
    colleague = UserFactory(username="canbo-2")
    grant(colleague, "office", world.organizer)
    client.force_login(colleague)
    response = client.get(reverse("blocs:registry_export_download", args=[finished_job.pk]))
    assert response.status_code == 200
    assert _body(response) == export_csv([world.organizer.pk])
    page = client.get(reverse("jobs:job_detail", args=[finished_job.pk]))
    assert page.status_code == 200  # and the job's page, with its link
    assert reverse("blocs:registry_export_download", args=[finished_job.pk]) in page.text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("other_office", 404),
        ("secretary", 404),
        ("delegate", 404),
        ("outsider", 404),
        ("nobody", 404),
    ],
)
def test_others_cannot_download_the_file(client, world, finished_job, role, status):
    client.force_login(world.users()[role])
    url = reverse("blocs:registry_export_download", args=[finished_job.pk])
    assert client.get(url).status_code == status
    # Nor see the job's page (and its link).
    assert client.get(reverse("jobs:job_detail", args=[finished_job.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, finished_job):
    response = client.get(reverse("blocs:registry_export_download", args=[finished_job.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.usefixtures("task_queue")
def test_a_job_of_another_kind_or_unfinished_is_not_a_download(client, world, settings):
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    client.force_login(world.office)
    client.get(reverse("blocs:registry_export", args=["csv"]))
    queued = Job.objects.get()
    url = reverse("blocs:registry_export_download", args=[queued.pk])
    assert client.get(url).status_code == 404  # still queued
    other = job_start(func=sample_jobs.link_elsewhere, title="Nhập", owner=world.office)
    other_url = reverse("blocs:registry_export_download", args=[other.pk])
    assert client.get(other_url).status_code == 404


def test_office_of_one_province_cannot_download_a_national_export(client, world, settings):
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    client.force_login(world.superuser)
    client.get(reverse("blocs:registry_export", args=["csv"]))
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED
    assert Membership.objects.filter(bloc_year__bloc__organizer=world.other_organizer).exists()
    client.force_login(world.office)
    url = reverse("blocs:registry_export_download", args=[job.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 404
    client.force_login(world.superuser)
    assert _body(client.get(url)) == export_csv(
        sorted([world.organizer.pk, world.other_organizer.pk])
    )


def _age(job, hours):
    import datetime as dt

    from django.db.models import F

    Job.objects.filter(pk=job.pk).update(finished_at=F("finished_at") - dt.timedelta(hours=hours))


def test_an_export_file_is_deleted_after_the_retention_period(
    client, world, settings, finished_job
):
    """Issue 15: exported files do not stay in the storage for ever."""
    from django.core.management import call_command

    settings.REGISTRY_EXPORT_TTL_HOURS = 72
    path = finished_job.result["path"]
    _age(finished_job, 71)
    call_command("purge_exports", stdout=io.StringIO())
    assert default_storage.exists(path)  # within the period: kept
    _age(finished_job, 2)  # now 73 hours old
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "Đã xóa 1 tệp" in out.getvalue()
    assert not default_storage.exists(path)
    finished_job.refresh_from_db()
    assert finished_job.result_url == "" and finished_job.result["expired"] is True
    assert finished_job.message.startswith("Tệp đã được xóa 72 giờ sau khi xuất xong")

    client.force_login(world.office)
    download = reverse("blocs:registry_export_download", args=[finished_job.pk])
    response = client.get(download, follow=True)
    assert response.redirect_chain == [(reverse("jobs:job_detail", args=[finished_job.pk]), 302)]
    page = response.content.decode()
    assert "Tệp xuất này đã hết hạn lưu giữ và đã được xóa." in page
    assert f'href="{download}"' not in page  # no dead link
    # Another office still gets 404: expiry reveals nothing about a job it may not see.
    other = UserFactory(username="canbo-tinh-khac")
    from blocs.models import Organizer

    grant(other, "office", Organizer.objects.create(code="tinh-khac", name="Tỉnh khác"))
    client.force_login(other)
    assert client.get(download).status_code == 404


def test_a_new_export_job_purges_the_expired_ones_first(client, world, settings, finished_job):
    settings.REGISTRY_EXPORT_TTL_HOURS = 1
    old_path = finished_job.result["path"]
    _age(finished_job, 2)
    client.force_login(world.office)
    client.get(reverse("blocs:registry_export", args=["xlsx"]))  # runs at once in tests
    new = Job.objects.exclude(pk=finished_job.pk).get()
    assert new.status == Job.Status.SUCCEEDED
    assert default_storage.exists(new.result["path"])
    assert not default_storage.exists(old_path)
