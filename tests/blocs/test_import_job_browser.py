"""In the browser (issue 12): a registry import above REGISTRY_IMPORT_JOB_ROWS opens the job's
page, whose progress bar polls itself (htmx) while the worker imports, up to the Vietnamese
report; a failing file shows its Vietnamese errors there and saves nothing."""

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from blocs import registry_jobs
from blocs.models import Bloc
from jobs.models import Job
from jobs.testing import run_jobs
from tests.e2e.conftest import ARTIFACTS, browser, browser_errors, new_page  # noqa: F401

from .test_import_export import GOOD, counts, rows_to_csv, rows_to_xlsx

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_jobs(settings):
    """Jobs wait in the database queue, as in production, in the live server's threads too."""
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _upload(page, path: Path) -> Job:
    page.goto("/registry/import/")
    page.get_by_label("Tệp danh mục (.xlsx hoặc .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_url("**/jobs/*/")
    return Job.objects.get()


def _in_a_worker_thread() -> threading.Thread:
    def work():
        try:
            run_jobs()
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def _screenshot(page, name: str) -> None:
    """With E2E_SCREENSHOTS=1: the page at this step, to look at (test-artifacts/)."""
    if not os.environ.get("E2E_SCREENSHOTS"):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_big_import_shows_its_progress_up_to_the_vietnamese_report(
    new_page,  # noqa: F811
    transactional_db,
    world,
    queued_jobs,
    tmp_path,
    monkeypatch,
    browser_errors,  # noqa: F811
):
    # The worker stops after the check, before writing, until the test has seen the bar there.
    checked, resume = threading.Event(), threading.Event()
    real_import = registry_jobs.import_registry

    def import_registry(**kwargs):
        progress = kwargs["progress"]

        def paused(step, steps):
            progress(step, steps)
            if step == 2:
                time.sleep(0.3)  # past the progress writes' spacing: this step reaches the cache
                progress(step, steps)
                checked.set()
                resume.wait(30)

        return real_import(**{**kwargs, "progress": paused})

    monkeypatch.setattr(registry_jobs, "import_registry", import_registry)
    before = counts(world.organizer)
    upload = tmp_path / "danh-muc-lon.xlsx"
    upload.write_bytes(rows_to_xlsx(GOOD))
    page = new_page(world.office)

    job = _upload(page, upload)
    box = page.locator(f"#job-{job.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nhập danh mục khối thi đua từ danh-muc-lon.xlsx"
    )
    expect(box).to_contain_text("Đang chờ")
    expect(box.locator("progress")).to_be_visible()

    worker = _in_a_worker_thread()
    assert checked.wait(30)
    expect(box).to_contain_text("Đang chạy")
    expect(box).to_contain_text("2/3 (66%)")
    expect(box).to_contain_text("Đang ghi vào danh mục…")
    expect(box.locator("progress")).to_have_attribute("value", "2")
    assert counts(world.organizer) == before  # checked, not yet written
    _screenshot(page, "import-job-running.png")

    resume.set()
    worker.join(30)
    assert not worker.is_alive()
    expect(box).to_contain_text("Hoàn thành")
    expect(box).to_contain_text("3/3 (100%)")
    expect(box.locator("progress")).to_have_attribute("value", "3")
    expect(box.locator("progress")).to_have_attribute("max", "3")
    expect(box).to_contain_text("Đã nhập 5 dòng: ")
    expect(box).to_contain_text("tạo mới 1 khối")
    expect(box).not_to_have_attribute("hx-trigger", "every 1s")  # polling stopped
    expect(box.get_by_role("link", name="Xem kết quả")).to_have_attribute(
        "href", "/registry/import/"
    )
    _screenshot(page, "import-job-done.png")
    assert Bloc.objects.filter(organizer=world.organizer, code="knc").exists()
    assert browser_errors == []


def test_a_big_failing_import_shows_its_vietnamese_errors_and_saves_nothing(
    new_page,  # noqa: F811
    transactional_db,
    world,
    queued_jobs,
    tmp_path,
    browser_errors,  # noqa: F811
):
    bad = GOOD + [
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", "hai nghìn", "bchqs", "Bộ CHQS", "", ""]
    ]
    before = counts(world.organizer)
    upload = tmp_path / "danh-muc-loi.csv"
    upload.write_bytes(rows_to_csv(bad))
    page = new_page(world.office)

    job = _upload(page, upload)
    box = page.locator(f"#job-{job.pk}")
    expect(box).to_contain_text("Đang chờ")
    assert run_jobs() == 1  # the worker, while the page polls

    expect(box).to_contain_text("Không thành công")
    expect(box).to_contain_text("Tệp có 1 lỗi; chưa lưu gì.")
    errors = box.locator(".job-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("Dòng 7, cột «Năm»")
    expect(box.get_by_role("link", name="Xem kết quả")).to_have_count(0)
    _screenshot(page, "import-job-failed.png")
    assert counts(world.organizer) == before
    assert not Bloc.objects.filter(organizer=world.organizer, code="knc").exists()
    assert browser_errors == []
