"""The registry export as a background job (issue 15): above `REGISTRY_EXPORT_JOB_ROWS` rows
the export view starts this job instead of answering the file. The job writes the same file as
the direct export into the default storage (PostgreSQL by default, so any server can serve
it), reports its progress row by row, and links to `blocs:registry_export_download`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import JobFailed, job_function

from .registry import export_csv_stream, export_row_count, export_rows, export_xlsx_to

EXPORT_DIR = "registry-exports"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _counted(job: Job, organizer_ids: list[int], total: int) -> Iterator[list]:
    message = _("Đang ghi tệp danh mục…")
    for n, row in enumerate(export_rows(organizer_ids)):
        # The header comes first (n = 0); n is then the number of the data row being written.
        if n:
            job.report(done=min(n, total), total=total, message=message)
        yield row


@job_function
def registry_export_job(job: Job, *, organizer_ids: list[int], fmt: str, filename: str) -> None:
    if fmt not in CONTENT_TYPES:
        raise JobFailed(_("Định dạng không hỗ trợ."))
    total = export_row_count(organizer_ids)
    job.report(done=0, total=total, message=_("Đang ghi tệp danh mục…"))
    rows = _counted(job, organizer_ids, total)
    with tempfile.TemporaryFile() as tmp:
        if fmt == "csv":
            for chunk in export_csv_stream(organizer_ids, rows=rows):
                tmp.write(chunk)
        else:
            export_xlsx_to(organizer_ids, tmp, rows=rows)
        tmp.seek(0)
        path = default_storage.save(f"{EXPORT_DIR}/{job.pk}/{filename}", File(tmp, name=filename))
    job.report(done=total, total=total)
    job.result = {"path": path, "filename": filename, "fmt": fmt, "rows": total}
    job.result_url = reverse("blocs:registry_export_download", args=[job.pk])
    job.message = _("Đã xuất %(n)s dòng. Tệp sẵn sàng để tải về.") % {
        "n": f"{total:,}".replace(",", ".")
    }
