"""Under the test settings a job runs as soon as it is started (Django's immediate backend)."""

from blocs.models import Unit
from jobs.models import Job
from jobs.services import job_start
from tests.factories import OrganizerFactory

from . import sample_jobs


def test_a_job_started_in_a_test_has_finished_when_job_start_returns(db):
    organizer = OrganizerFactory()
    job = job_start(
        func=sample_jobs.count_units,
        title="Tạo",
        kwargs={"codes": ["I1", "I2"], "organizer_id": organizer.pk},
    )
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total) == (2, 2)
    assert Unit.objects.filter(code__in=["I1", "I2"]).count() == 2
