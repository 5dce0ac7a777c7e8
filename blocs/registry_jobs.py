"""The registry export as a background job (issue 15): above `REGISTRY_EXPORT_JOB_ROWS` rows
the export view starts this job instead of answering the file. The job writes the same file as
the direct export into the default storage (PostgreSQL by default, so any server can serve
it), reports its progress row by row, and links to `blocs:registry_export_download`."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import JobFailed, job_function, path_of

from .access import managed_organizers
from .models import Organizer
from .registry import (
    ImportFileError,
    export_csv_stream,
    export_row_count,
    export_rows,
    export_xlsx_to,
    import_registry,
)

EXPORT_DIR = "registry-exports"
IMPORT_DIR = "registry-import-jobs"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _office_of_every_organizer(job: Job, user) -> bool:
    """Office staff of every organizer the job covers see its page (as they may download it)."""
    wanted = set(job.kwargs.get("organizer_ids") or [])
    if "organizer_id" in job.kwargs:
        wanted.add(job.kwargs["organizer_id"])
    if not wanted:
        return False
    managed = managed_organizers(user).filter(pk__in=wanted).values_list("pk", flat=True)
    return set(managed) == wanted


def _counted(job: Job, organizer_ids: list[int], total: int) -> Iterator[list]:
    message = _("Đang ghi tệp danh mục…")
    for n, row in enumerate(export_rows(organizer_ids)):
        # The header comes first (n = 0); n is then the number of the data row being written.
        if n:
            job.report(done=min(n, total), total=total, message=message)
        yield row


def purge_expired_exports(*, now: dt.datetime | None = None) -> int:
    """Delete the files of export jobs that finished more than REGISTRY_EXPORT_TTL_HOURS ago
    (a national export is personal data of every unit: it should not stay in the storage for
    ever). The job stays, with a message that the file was deleted and no download link.
    Runs before every new export job and from `manage.py purge_exports` (cron). Returns how
    many files were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.REGISTRY_EXPORT_TTL_HOURS)
    expired = Job.objects.filter(
        func=path_of(registry_export_job),
        status=Job.Status.SUCCEEDED,
        finished_at__lt=cutoff,
        result__has_key="path",
    ).exclude(result_url="")
    purged = 0
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None or not job.result_url:
                continue  # another process is purging it
            path = job.result.get("path")
            if path:
                default_storage.delete(path)
            job.result = {**job.result, "path": "", "expired": True}
            job.result_url = ""
            job.message = _(
                "Tệp đã được xóa %(h)s giờ sau khi xuất xong (quy định lưu giữ tệp xuất); "
                "hãy xuất lại nếu cần."
            ) % {"h": settings.REGISTRY_EXPORT_TTL_HOURS}
            job.save(update_fields=["result", "result_url", "message"])
            purged += 1
    return purged


@job_function(visible_to=_office_of_every_organizer)
def registry_export_job(job: Job, *, organizer_ids: list[int], fmt: str, filename: str) -> None:
    if fmt not in CONTENT_TYPES:
        raise JobFailed(_("Định dạng không hỗ trợ."))
    purge_expired_exports()
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


@job_function(visible_to=_office_of_every_organizer)
def registry_import_job(
    job: Job, *, path: str, filename: str, organizer_id: int, actor_id: int | None
) -> None:
    """The registry import of a big upload (above `REGISTRY_IMPORT_JOB_ROWS` data rows): the
    same `import_registry` as the page (validate everything, then one transaction: nothing is
    saved unless every row passes). The upload waits in the default storage and is deleted at
    the end. A plan that links units to a merged province's or renames needs the preview of the
    import page: the job then saves nothing and says so."""
    from django.contrib.auth import get_user_model

    organizer = Organizer.objects.filter(pk=organizer_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        if organizer is None:
            raise JobFailed(_("Không tìm thấy cơ quan tổ chức."))
        job.report(done=0, total=3, message=_("Đang đọc tệp danh mục…"))
        with default_storage.open(path, "rb") as stored:
            data = stored.read()

        def progress(step: int, steps: int) -> None:
            message = _("Đang kiểm tra dữ liệu…") if step == 1 else _("Đang ghi vào danh mục…")
            job.report(done=step, total=steps, message=message)

        try:
            result = import_registry(
                organizer=organizer,
                filename=filename,
                data=data,
                actor=actor,
                confirmed=False,
                progress=progress,
            )
        except ImportFileError as exc:
            raise JobFailed(str(exc)) from None
        if result.errors:
            raise JobFailed(
                _("Tệp có %(n)s lỗi; chưa lưu gì.") % {"n": len(result.errors)},
                result={"errors": [str(e) for e in result.errors]},
            )
        if result.pending:
            raise JobFailed(
                _(
                    "Tệp có nối đơn vị với tỉnh cũ hoặc đổi tên, cần xem trước và xác nhận; "
                    "chưa lưu gì. Hãy nhập riêng các dòng này ở trang nhập danh mục."
                ),
                result={"errors": result.summary_lines()},
            )
    finally:
        default_storage.delete(path)
    job.report(done=3, total=3)
    job.result = {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "changes": result.changes,
    }
    job.result_url = reverse("blocs:registry_import")
    if result.changes:
        job.message = _("Đã nhập %(rows)s dòng: %(changes)s thay đổi (%(detail)s).") % {
            "rows": _n(result.rows),
            "changes": _n(result.changes),
            "detail": _detail(result),
        }
    else:
        job.message = _("Đã đọc %(rows)s dòng: danh mục đã khớp, không có gì thay đổi.") % {
            "rows": _n(result.rows)
        }


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _what(key: str) -> str:
    labels = {
        "units": _("đơn vị"),
        "blocs": _("khối"),
        "years": _("năm của khối"),
        "memberships": _("thành viên"),
        "terms": _("khối trưởng, khối phó"),
        "links": _("nối đơn vị với đơn vị cũ"),
        "bloc_links": _("nối khối với khối cũ"),
    }
    return labels.get(key, key)


def _detail(result) -> str:
    parts = [
        _("tạo mới %(n)s %(what)s") % {"what": _what(what), "n": _n(n)}
        for what, n in sorted(result.created.items())
        if n
    ]
    parts += [
        _("cập nhật %(n)s %(what)s") % {"what": _what(what), "n": _n(n)}
        for what, n in sorted(result.updated.items())
        if n
    ]
    return "; ".join(parts)
