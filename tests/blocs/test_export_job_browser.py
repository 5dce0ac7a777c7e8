"""In the browser (issue 15): a big registry export opens the job's page, whose progress bar
polls itself (htmx) until the worker has written the file, then offers the download link."""

import pytest
from playwright.sync_api import expect

from blocs.registry import export_csv
from jobs.models import Job
from jobs.testing import run_jobs
from tests.e2e.conftest import browser, browser_errors, new_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_big_export_shows_the_progress_bar_then_the_download_link(
    new_page,  # noqa: F811
    transactional_db,
    world,
    settings,
    tmp_path,
    browser_errors,  # noqa: F811
):
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    # The job must wait in the database queue, as in production, in the live server's threads
    # too (each builds its task backend from the settings; `task_queue` covers this thread only).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = new_page(world.office)
    page.goto("/registry/import/")
    page.get_by_role("link", name="Tải CSV").click()
    job = Job.objects.get()
    page.wait_for_url(f"**/jobs/{job.pk}/")
    progress = page.locator(f"#job-{job.pk}")
    expect(progress).to_contain_text("Đang chờ")
    expect(progress.locator("progress")).to_be_visible()
    expect(page.get_by_role("link", name="Tải tệp")).to_have_count(0)

    assert run_jobs() == 1  # the worker, meanwhile the page keeps polling

    link = page.get_by_role("link", name="Tải tệp danh-muc-khoi-thi-dua-")
    expect(link).to_be_visible()
    expect(progress).to_contain_text("Hoàn thành")
    expect(progress).to_contain_text("8/8 (100%)")
    expect(progress).to_contain_text("Đã xuất 8 dòng. Tệp sẵn sàng để tải về.")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "export.csv"
    info.value.save_as(path)
    assert path.read_bytes() == export_csv([world.organizer.pk])
    assert browser_errors == []
