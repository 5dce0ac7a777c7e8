"""Role × view matrix for the jobs app: a job is seen by its owner and superusers only."""

import pytest

from jobs.services import job_start

from . import sample_jobs


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("office", 200),  # the owner
        ("superuser", 200),
        ("other_office", 404),
        ("secretary", 404),
        ("delegate", 404),
        ("outsider", 404),
        ("nobody", 404),
    ],
)
def test_job_detail_by_role(client, world, role, status):
    job = job_start(func=sample_jobs.link_elsewhere, title="Nhập danh mục", owner=world.office)
    client.force_login(world.users()[role])
    assert client.get(job.get_absolute_url()).status_code == status
    htmx = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert htmx.status_code == status


def test_job_detail_sends_anonymous_visitors_to_the_login_page(client, world):
    job = job_start(func=sample_jobs.link_elsewhere, title="Nhập", owner=world.office)
    response = client.get(job.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
