"""Background jobs: queued in the database, run by the worker, progress shown by htmx polling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from blocs.models import Unit
from jobs.models import Job
from jobs.services import job_run, job_start
from jobs.testing import run_jobs
from tests.factories import OrganizerFactory, UserFactory

from . import sample_jobs

ROOT = Path(__file__).resolve().parents[2]

# These tests are about the queue: jobs wait in the database until run_jobs(), as in production.
pytestmark = pytest.mark.usefixtures("task_queue")


@pytest.fixture
def organizer(db):
    return OrganizerFactory(code="bac-ninh", name="UBND tỉnh Bắc Ninh")


def test_a_started_job_waits_in_the_queue_until_a_worker_runs_it(organizer):
    owner = UserFactory()
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo đơn vị",
        owner=owner,
        kwargs={"codes": ["A", "B", "C"], "organizer_id": organizer.pk},
    )
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    assert not Unit.objects.filter(code__in=["A", "B", "C"]).exists()

    assert run_jobs() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total) == (3, 3)
    assert job.message == "Đã tạo 3 đơn vị."
    assert job.result_url == "/units/"
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at
    assert set(Unit.objects.values_list("code", flat=True)) == {"A", "B", "C"}
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert run_jobs() == 0


def test_progress_is_visible_while_the_job_transaction_is_still_open(organizer, monkeypatch):
    monkeypatch.setattr("jobs.models.PROGRESS_MIN_INTERVAL", 0)
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo đơn vị",
        kwargs={"codes": ["A", "B", "C", "D"], "organizer_id": organizer.pk},
    )
    run_jobs()
    job.refresh_from_db()
    assert job.result["seen_halfway"] == ["running", 2, 4, "Đã tạo 2 đơn vị"]


def test_progress_writes_are_spaced_out_but_the_last_item_is_always_written(db):
    job = Job.objects.create(title="Nhịp", func="x", status=Job.Status.RUNNING)
    job.report(done=1, total=3, message="một")
    job.report(done=2, message="hai")  # within PROGRESS_MIN_INTERVAL: not written
    assert Job.objects.get(pk=job.pk).live().message == "một"
    job.report(done=3, message="ba")  # the last one always is
    assert (Job.objects.get(pk=job.pk).live().done, job.live().message) == (3, "ba")


def test_a_refusal_shows_its_message_and_every_error_on_the_job_page(client, db):
    owner = UserFactory()
    errors = ["Dòng 2, cột «Năm»: «hai nghìn» không phải là năm hợp lệ (ví dụ 2024)."]
    job = job_start(func=sample_jobs.refuse, title="Nhập", owner=owner, kwargs={"errors": errors})
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp có lỗi; chưa lưu gì."
    client.force_login(owner)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Không thành công" in html
    assert "Dòng 2, cột «Năm»: «hai nghìn» không phải là năm hợp lệ" in html
    assert "Xem kết quả" not in html


def test_an_unexpected_error_fails_the_job_with_a_vietnamese_message_and_keeps_nothing(
    organizer, caplog
):
    job = job_start(
        func=sample_jobs.crash_after_writing, title="Hỏng", kwargs={"organizer_id": organizer.pk}
    )
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "lỗi ngoài dự kiến" in job.message
    assert not Unit.objects.filter(code="DO-DANG").exists()
    assert "RuntimeError: boom" in caplog.text


def test_a_job_started_in_a_transaction_that_rolls_back_is_forgotten(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        job_start(func=sample_jobs.link_elsewhere, title="Bỏ")
        raise RuntimeError("rollback")
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert run_jobs() == 0


def test_a_job_runs_at_most_once(organizer):
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo",
        kwargs={"codes": ["A"], "organizer_id": organizer.pk},
    )
    run_jobs()
    assert job_run(job_id=str(job.pk)) == Job.Status.SUCCEEDED
    assert Unit.objects.filter(code="A").count() == 1


def test_only_functions_marked_as_jobs_can_be_started_or_run(db):
    with pytest.raises(ValueError):
        job_start(func=sample_jobs.not_a_job, title="Không")
    job = Job.objects.create(title="Giả", func="tests.jobs.sample_jobs.not_a_job")
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_result_link_to_another_site_is_dropped(db):
    job = job_start(func=sample_jobs.link_elsewhere, title="Liên kết")
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_url == ""


def test_the_progress_partial_polls_while_running_and_stops_when_finished(client, organizer):
    owner = UserFactory()
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo",
        owner=owner,
        kwargs={"codes": ["A", "B"], "organizer_id": organizer.pk},
    )
    client.force_login(owner)
    # Running, with progress in the shared cache.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job.refresh_from_db()
    job.report(done=1, total=4, message="Đang kiểm tra dữ liệu…")
    response = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="4"' in html and 'value="1"' in html
    assert "1/4 (25%)" in html
    assert "Đang kiểm tra dữ liệu…" in html
    # Finished: no more polling, and the result link.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    run_jobs()
    html = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html
    assert "Hoàn thành" in html
    assert 'href="/units/"' in html
    full = client.get(job.get_absolute_url()).content.decode()
    assert "<html" in full and 'id="job-' in full


def test_only_the_owner_and_superusers_see_a_job(client, db, django_assert_max_num_queries):
    owner = UserFactory()
    job = job_start(func=sample_jobs.link_elsewhere, title="Riêng", owner=owner)
    url = job.get_absolute_url()
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.postgres
def test_the_worker_command_runs_a_queued_job_in_its_own_process(transactional_db):
    organizer = OrganizerFactory(code="tay-ninh", name="UBND tỉnh Tây Ninh")
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo",
        kwargs={"codes": ["W1", "W2"], "organizer_id": organizer.pk},
    )
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    # The production settings (database backend), as the compose `worker` service runs them.
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "-v0"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "khoithidua.settings", "DEBUG": "1"},
        check=True,
        timeout=60,
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert set(Unit.objects.filter(organizer=organizer).values_list("code", flat=True)) == {
        "W1",
        "W2",
    }
