"""Upload and download of the registry file (XLSX or CSV).

An upload whose plan joins units to a merged province's or changes names is first shown as a
preview (nothing written); the file waits in the default storage under a random token kept in
the user's session, and the confirmation writes exactly the previewed plan in one transaction.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from jobs.models import Job
from jobs.services import job_start, path_of

from .access import managed_organizers, require_office
from .forms import TableImportForm
from .registry import (
    ImportFileError,
    export_csv_stream,
    export_row_count,
    export_xlsx,
    import_registry,
    import_row_count,
)
from .registry_jobs import (
    CONTENT_TYPES,
    IMPORT_DIR,
    registry_export_job,
    registry_import_job,
)

PENDING_KEY = "registry_import_pending"
PENDING_DIR = "registry-imports"


def importable_organizers(user):
    """The organizers the user manages that still exist today (a province that merged away
    takes no imports: its history is imported under its successor)."""
    today = timezone.localdate()
    return managed_organizers(user).filter(Q(merged_on__isnull=True) | Q(merged_on__gt=today))


def _done_message(result) -> str:
    if result.changes:
        return _("Đã nhập %(rows)s dòng: %(changes)s thay đổi.") % {
            "rows": result.rows,
            "changes": result.changes,
        }
    return _("Đã đọc %(rows)s dòng: danh mục đã khớp, không có gì thay đổi.") % {
        "rows": result.rows
    }


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(PENDING_KEY, None)
    if pending:
        default_storage.delete(pending["path"])


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    require_office(request.user)
    organizers = importable_organizers(request.user)
    form = TableImportForm(request.POST or None, request.FILES or None, organizers=organizers)
    result = None
    file_error = None
    done_message = None
    pending = None
    status = 200
    if request.method == "POST" and ("confirm" in request.POST or "cancel" in request.POST):
        pending = request.session.get(PENDING_KEY)
        if not pending or pending["token"] != request.POST.get("token", ""):
            raise Http404(_("Không tìm thấy bản xem trước, vui lòng tải tệp lên lại."))
        organizer = organizers.filter(pk=pending["organizer"]).first()
        if "cancel" in request.POST or organizer is None:
            _forget_pending(request)
            if organizer is None:
                raise Http404(_("Không tìm thấy cơ quan tổ chức."))
            messages.info(request, _("Đã huỷ, không nhập gì."))
            return redirect("blocs:registry_import")
        form = TableImportForm(organizers=organizers)
        with default_storage.open(pending["path"], "rb") as stored:
            data = stored.read()
        result = import_registry(
            organizer=organizer,
            filename=pending["name"],
            data=data,
            actor=request.user,
            confirmed=True,
            expected_digest=pending["digest"],
            accept_links=set(request.POST.getlist("link")),
        )
        if result.ok and not result.pending:
            _forget_pending(request)
            done_message = _done_message(result)
            if not request.htmx:
                messages.success(request, done_message)
                return redirect("blocs:registry_import")
            pending = None
        elif result.pending:  # the registry changed since the preview: show the new plan
            pending["digest"] = result.digest
            request.session[PENDING_KEY] = pending
            status = 409
        else:
            _forget_pending(request)
            pending, status = None, 422
    elif request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            organizer = form.cleaned_data["organizer"]
            try:
                rows = import_row_count(
                    upload.name, data, stop_above=settings.REGISTRY_IMPORT_JOB_ROWS
                )
            except ImportFileError as exc:
                rows, file_error = 0, str(exc)
            if rows > settings.REGISTRY_IMPORT_JOB_ROWS:
                # Too big for the request: a background job runs the same all-or-nothing
                # import; its page shows a live progress bar, then the report.
                ext = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
                path = default_storage.save(
                    f"{IMPORT_DIR}/{secrets.token_urlsafe(24)}{ext}", ContentFile(data)
                )
                job = job_start(
                    func=registry_import_job,
                    title=_("Nhập danh mục khối thi đua từ %(name)s") % {"name": upload.name[:100]},
                    owner=request.user,
                    kwargs={
                        "path": path,
                        "filename": upload.name[:200],
                        "organizer_id": organizer.pk,
                        "actor_id": request.user.pk,
                    },
                )
                if request.htmx:
                    return HttpResponseClientRedirect(job.get_absolute_url())
                return redirect(job)
            try:
                if file_error:
                    raise ImportFileError(file_error)
                result = import_registry(
                    organizer=organizer,
                    filename=upload.name,
                    data=data,
                    actor=request.user,
                    confirmed=False,
                )
            except ImportFileError as exc:
                file_error = str(exc)
            else:
                if result.pending:
                    _forget_pending(request)
                    token = secrets.token_urlsafe(24)
                    ext = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
                    path = default_storage.save(f"{PENDING_DIR}/{token}{ext}", ContentFile(data))
                    pending = {
                        "token": token,
                        "path": path,
                        "name": upload.name[:200],
                        "organizer": organizer.pk,
                        "digest": result.digest,
                    }
                    request.session[PENDING_KEY] = pending
                    status = 200
                elif result.ok:
                    done_message = _done_message(result)
                    if request.htmx:  # the result shows where the import was started
                        status, form = 200, TableImportForm(organizers=organizers)
                    else:
                        messages.success(request, done_message)
                        return redirect("blocs:registry_import")
    template = "blocs/registry_import.html#panel" if request.htmx else "blocs/registry_import.html"
    return render(
        request,
        template,
        {
            "form": form,
            "result": result,
            "file_error": file_error,
            "organizers": organizers,
            "done_message": done_message,
            "pending": pending,
            "export_job_rows": f"{settings.REGISTRY_EXPORT_JOB_ROWS:,}".replace(",", "."),
            "import_job_rows": f"{settings.REGISTRY_IMPORT_JOB_ROWS:,}".replace(",", "."),
        },
        status=status,
    )


@login_required
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The registry as a file: CSV streamed line by line, XLSX from a write-only workbook
    (memory stays bounded at national size)."""
    require_office(request.user)
    organizers = managed_organizers(request.user)
    wanted = request.GET.get("organizer")
    if wanted:
        organizers = organizers.filter(pk=wanted) if wanted.isdigit() else organizers.none()
        if not organizers.exists():
            raise Http404(_("Không tìm thấy cơ quan tổ chức."))
    ids = list(organizers.values_list("pk", flat=True))
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"danh-muc-khoi-thi-dua-{stamp}.{fmt}"
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Định dạng không hỗ trợ."))
    if export_row_count(ids) > settings.REGISTRY_EXPORT_JOB_ROWS:
        # Too big to answer within the request: a background job writes the file; its page
        # shows a live progress bar, then the download link.
        job = job_start(
            func=registry_export_job,
            title=_("Xuất danh mục khối thi đua (%(fmt)s)") % {"fmt": fmt.upper()},
            owner=request.user,
            kwargs={"organizer_ids": ids, "fmt": fmt, "filename": filename},
        )
        return redirect(job)
    if fmt == "csv":
        response = StreamingHttpResponse(
            export_csv_stream(ids), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        # The write-only workbook streams its rows to a temporary file; only the finished,
        # compressed file is held in memory.
        response = HttpResponse(
            export_xlsx(ids),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("Định dạng không hỗ trợ."))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def registry_export_download(request: HttpRequest, pk) -> HttpResponse:
    """The file written by a registry export job: for the user who asked for it, and for the
    office staff of every organizer it covers (404 for anyone else, so a job id reveals nothing)."""
    job = (
        Job.objects.filter(
            pk=pk,
            func=path_of(registry_export_job),
            status=Job.Status.SUCCEEDED,
        )
        .only("owner_id", "kwargs", "result")
        .first()
    )
    if job is None:
        raise Http404(_("Không tìm thấy tệp xuất."))
    if job.owner_id != request.user.pk:
        try:
            require_office(request.user)
        except PermissionDenied:
            raise Http404(_("Không tìm thấy tệp xuất.")) from None
        wanted = set(job.kwargs.get("organizer_ids") or [])
        managed = set(
            managed_organizers(request.user).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if not wanted or managed != wanted:
            raise Http404(_("Không tìm thấy tệp xuất."))
    if job.result.get("expired"):
        # Deleted after REGISTRY_EXPORT_TTL_HOURS: the job's page says so and offers nothing.
        messages.warning(request, _("Tệp xuất này đã hết hạn lưu giữ và đã được xóa."))
        return redirect(job)
    path, filename = job.result.get("path"), job.result.get("filename", "")
    fmt = job.result.get("fmt")
    if not path or fmt not in CONTENT_TYPES or not default_storage.exists(path):
        raise Http404(_("Không tìm thấy tệp xuất."))
    response = FileResponse(
        default_storage.open(path),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
