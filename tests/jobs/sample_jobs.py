"""Job functions used by the tests (job functions must live at module level)."""

from django.db import transaction

from blocs.models import Unit
from jobs.models import Job
from jobs.services import JobFailed, job_function


@job_function
def count_units(job, *, codes: list[str], organizer_id: int) -> None:
    """Creates one unit per code in one transaction, reporting progress per unit."""
    with transaction.atomic():
        for i, code in enumerate(codes, start=1):
            Unit.objects.create(organizer_id=organizer_id, code=code, name=f"Đơn vị {code}")
            job.report(done=i, total=len(codes), message=f"Đã tạo {i} đơn vị")
            if i == 2:
                # What another request would see halfway: the row says running, the cache
                # has the progress although the transaction is still open.
                seen = Job.objects.get(pk=job.pk).live()
                job.result = {"seen_halfway": [seen.status, seen.done, seen.total, seen.message]}
    job.message = f"Đã tạo {len(codes)} đơn vị."
    job.result_url = "/units/"


@job_function
def refuse(job, *, errors: list[str]) -> None:
    raise JobFailed("Tệp có lỗi; chưa lưu gì.", result={"errors": errors})


@job_function
def crash_after_writing(job, *, organizer_id: int) -> None:
    with transaction.atomic():
        Unit.objects.create(organizer_id=organizer_id, code="DO-DANG", name="Dở dang")
        raise RuntimeError("boom")


@job_function
def link_elsewhere(job) -> None:
    job.result_url = "https://evil.example/"


def not_a_job(job) -> None:
    """Not marked: job_start refuses it and the runner will not run it."""
