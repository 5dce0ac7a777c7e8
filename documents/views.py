"""Document pages: the documents of a bloc-year and of a meeting, draft previews and PDFs,
finalize, locked versions (PDF byte-identical, HTML preview from the snapshot), signed scans,
and the public verification page."""

from __future__ import annotations

import functools
import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blocs.access import can_run_bloc, get_bloc_year_for_user

from . import builders, docx_export, services
from .access import get_version_for_user
from .forms import FinalizeForm, ScanForm
from .models import DocumentVersion, Kind

HEX64 = re.compile(r"^[0-9a-f]{64}$")


# --- access helpers -------------------------------------------------------------------------


def _get_subject_for_user(request: HttpRequest, kind: str, pk: int, *, manage: bool = False):
    """The subject of a document (meeting, poll, bloc-year) if the user may see it: else 404;
    403 when `manage` and the user may see but not finalize."""
    model = builders.subject_model(kind)
    try:
        subject = model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy văn bản.")) from None
    bloc_year = builders.doc_type(kind).bloc_year_of(subject)
    bloc_year = get_bloc_year_for_user(request.user, bloc_year.pk, run=manage)
    return subject, bloc_year


KIND_SLUGS = {
    Kind.MINUTES: "bien-ban-hoi-nghi",
    Kind.INVITATION: "giay-moi",
    Kind.COUNT_MINUTES: "bien-ban-kiem-phieu",
    Kind.BALLOTS: "phieu-bau",
    Kind.COVENANT: "ban-giao-uoc",
    Kind.REPORT: "bao-cao",
    Kind.PROPOSAL: "to-trinh",
}


def ascii_slug(text: str) -> str:
    """Vietnamese to an ASCII slug: «Cờ thi đua» → «co-thi-dua» (đ is not a combining mark)."""
    return slugify(str(text).replace("đ", "d").replace("Đ", "D"))


def _filename(kind: str, snapshot: dict, ext: str, version: DocumentVersion | None = None) -> str:
    """«bien-ban-kiem-phieu-co-thi-dua-2026-v1.pdf»: the kind, the poll or subject, the year."""
    parts = [KIND_SLUGS.get(kind, kind)]
    if kind == Kind.COUNT_MINUTES:
        parts.append(ascii_slug(snapshot.get("subject", ""))[:60].strip("-"))
    parts.append(str(snapshot.get("bloc", {}).get("year", "")))
    if version is not None:
        parts.append(f"so-{version.number:02d}-v{version.version}")
    else:
        parts.append("du-thao")
    return "-".join(p for p in parts if p) + f".{ext}"


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _doc_links(kind: str, subject, user, bloc) -> dict:
    dtype = builders.doc_type(kind)
    from signing.models import SignedFile  # ký số: a signed version offers its signed PDF

    last_signed = SignedFile.objects.filter(version=OuterRef("pk")).order_by("-seq")
    versions = list(
        services.versions_of(kind, subject)
        .select_related("created_by")
        .defer("pdf")
        .annotate(signed_seq=Subquery(last_signed.values("seq")[:1]))
    )
    return {
        "kind": kind,
        "label": Kind(kind).label,
        "title": getattr(subject, "title", "") if kind == Kind.COUNT_MINUTES else "",
        "subject": subject,
        "pk": subject.pk,
        "finalizable": dtype.finalizable,
        "docx": dtype.docx,
        "versions": versions,
        "current": versions[-1] if versions else None,
        "can_run": can_run_bloc(user, bloc),
    }


# --- lists ----------------------------------------------------------------------------------


@login_required
def bloc_year_documents(request: HttpRequest, pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_user(request.user, pk)
    bloc = bloc_year.bloc
    docs = [
        _doc_links(k, bloc_year, request.user, bloc)
        for k in (Kind.COVENANT, Kind.REPORT, Kind.PROPOSAL)
    ]
    meetings = (
        list(bloc_year.meetings.order_by("starts_at")) if hasattr(bloc_year, "meetings") else []
    )
    return render(
        request,
        "documents/bloc_year_documents.html",
        {
            "bloc_year": bloc_year,
            "bloc": bloc,
            "docs": docs,
            "meetings": meetings,
            "can_run": can_run_bloc(request.user, bloc),
            "finalize_form": FinalizeForm(),
        },
    )


@login_required
def meeting_documents(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, bloc_year = _get_subject_for_user(request, Kind.MINUTES, pk)
    bloc = bloc_year.bloc
    docs = [
        _doc_links(Kind.INVITATION, meeting, request.user, bloc),
        _doc_links(Kind.MINUTES, meeting, request.user, bloc),
        _doc_links(Kind.BALLOTS, meeting, request.user, bloc),
    ]
    poll_docs = [
        _doc_links(Kind.COUNT_MINUTES, poll, request.user, bloc)
        for poll in builders._polls_of(meeting)
    ]
    return render(
        request,
        "documents/meeting_documents.html",
        {
            "meeting": meeting,
            "bloc_year": bloc_year,
            "bloc": bloc,
            "docs": docs,
            "poll_docs": poll_docs,
            "can_run": can_run_bloc(request.user, bloc),
            "finalize_form": FinalizeForm(),
        },
    )


# --- drafts ---------------------------------------------------------------------------------


def refuse_tampered(view):
    """A draft that would print a vote whose data changed after its seal is never rendered:
    the page every results surface shows (409), not a 500."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from meetings.models import Poll
        from meetings.services import TallyTampered
        from meetings.views import _tampered_response

        try:
            return view(request, *args, **kwargs)
        except TallyTampered as exc:
            poll = Poll.objects.select_related("meeting__bloc_year__bloc").get(pk=exc.poll_id)
            return _tampered_response(request, poll, exc)

    return wrapped


@login_required
@refuse_tampered
def draft_preview(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject, _by = _get_subject_for_user(request, kind, pk)
    snapshot = services.draft_snapshot(kind, subject)
    return HttpResponse(services.render_snapshot_html(kind, snapshot, preview=True))


@login_required
@refuse_tampered
def draft_pdf(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject, _by = _get_subject_for_user(request, kind, pk)
    snapshot = services.draft_snapshot(kind, subject)
    return _pdf_response(services.snapshot_pdf(kind, snapshot), _filename(kind, snapshot, "pdf"))


@login_required
@refuse_tampered
def draft_docx(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if not builders.doc_type(kind).docx:
        raise Http404(_("Văn bản này không xuất DOCX."))
    subject, _by = _get_subject_for_user(request, kind, pk)
    snapshot = services.draft_snapshot(kind, subject)
    return _docx_response(docx_export.to_docx(kind, snapshot), _filename(kind, snapshot, "docx"))


@login_required
@refuse_tampered
def finalize_confirm(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Before locking: what is still missing, or the number the document will get."""
    subject, bloc_year = _get_subject_for_user(request, kind, pk, manage=True)
    if not builders.doc_type(kind).finalizable:
        raise Http404(_("Loại văn bản này không cần khóa."))
    offer = services.finalize_offer(kind, subject)
    current = services.versions_of(kind, subject).last()
    back = request.GET.get("next") or reverse("documents:bloc_year_documents", args=[bloc_year.pk])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("documents:bloc_year_documents", args=[bloc_year.pk])
    return render(
        request,
        "documents/finalize_confirm.html",
        {
            "kind": kind,
            "label": Kind(kind).label,
            "subject": subject,
            **offer,
            "current": current,
            "bloc_year": bloc_year,
            "back": back,
            "form": FinalizeForm(),
        },
    )


@login_required
@require_POST
def finalize(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject, bloc_year = _get_subject_for_user(request, kind, pk, manage=True)
    form = FinalizeForm(request.POST)
    back = request.POST.get("next") or reverse("documents:bloc_year_documents", args=[bloc_year.pk])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("documents:bloc_year_documents", args=[bloc_year.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    try:
        with transaction.atomic():
            ends = form.cleaned_data.get("ends")
            if kind == Kind.MINUTES and ends is not None and subject.ends_at is None:
                services.minutes_record_end(meeting=subject, time=ends, actor=request.user)
            version = services.document_finalize(
                kind=kind,
                subject=subject,
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
                reason=form.cleaned_data["reason"],
                expected_number=form.cleaned_data["number"],
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("Đã khóa văn bản số %(n)s, phiên bản %(v)s.")
        % {"n": version.number_label, "v": version.version},
    )
    return redirect("documents:version_detail", version.pk)


# --- locked versions ------------------------------------------------------------------------


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    chain = []
    cursor = version
    while cursor.replaces_id:
        cursor = (
            DocumentVersion.objects.defer("pdf")
            .select_related("replaces")
            .get(pk=cursor.replaces_id)
        )
        chain.append(cursor)
    later = DocumentVersion.objects.defer("pdf").filter(replaces=version).first()
    return render(
        request,
        "documents/version_detail.html",
        {
            "version": version,
            "bloc_year": version.bloc_year,
            "bloc": version.bloc_year.bloc,
            "older": chain,
            "later": later,
            "can_run": can_run_bloc(request.user, version.bloc_year.bloc),
            "scan_form": ScanForm(),
            "docx": builders.doc_type(version.kind).docx,
        },
    )


@login_required
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    html = services.render_snapshot_html(
        version.kind, version.snapshot, stamp=services.stamp_of(version), preview=True
    )
    return HttpResponse(html)


@login_required
def version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    from signing.views import version_download  # ký số: once signed, the signed PDF

    if (signed := version_download(version)) is not None:
        return signed
    data = DocumentVersion.objects.values_list("pdf", flat=True).get(pk=version.pk)
    response = _pdf_response(bytes(data), _filename(version.kind, version.snapshot, "pdf", version))
    response["ETag"] = f'"{version.pdf_sha256}"'
    return response


@login_required
def version_docx(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    if not builders.doc_type(version.kind).docx:
        raise Http404(_("Văn bản này không xuất DOCX."))
    try:
        data = docx_export.to_docx(version.kind, version.snapshot, stamp=services.stamp_of(version))
    except (KeyError, TypeError, IndexError):
        # Locked before its type had a DOCX, in an older snapshot layout: the PDF is the record.
        raise Http404(
            _("Phiên bản này được khóa trước khi có bản DOCX; hãy dùng tệp PDF đã khóa.")
        ) from None
    return _docx_response(data, _filename(version.kind, version.snapshot, "docx", version))


@login_required
@require_POST
def version_scan_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk, run=True)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_attach_scan(
                version=version, upload=form.cleaned_data["scan"], actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã đính kèm bản scan có chữ ký."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("documents:version_detail", version.pk)


@login_required
def version_scan(request: HttpRequest, pk: int) -> FileResponse:
    version = get_version_for_user(request.user, pk)
    if not version.scan:
        raise Http404(_("Chưa có bản scan."))
    ext = version.scan.name.rsplit(".", 1)[-1]
    response = FileResponse(
        version.scan.open("rb"),
        as_attachment=True,
        filename=f"ban-scan-{version.number:02d}-v{version.version}.{ext}",
        content_type=version.scan_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- public verification --------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone holding a printed document may check its code; shows only what the paper shows."""
    result = None
    checked = False
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        if upload.size <= services.MAX_SCAN_BYTES:
            data = upload.read()
            from signing import views as signing_views  # ký số: a signed PDF gets its verdict

            if signing_views.looks_signed(data):
                return signing_views.verify_signed(request, data)
            digest = hashlib.sha256(data).hexdigest()
            return redirect("documents:verify_hash", digest)
        messages.error(request, _("Tệp quá lớn để kiểm tra."))
    code = (request.GET.get("hash") or "").strip().lower()
    if code:
        if HEX64.match(code):
            return redirect("documents:verify_hash", code)
        checked = True
    return render(
        request, "documents/verify.html", {"result": result, "checked": checked, "code": code}
    )


def verify_hash(request: HttpRequest, code: str) -> HttpResponse:
    code = code.lower()
    result = None
    if HEX64.match(code):
        result = (
            DocumentVersion.objects.defer("pdf")
            .select_related("bloc_year__bloc")
            .filter(fingerprint=code)
            .first()
            or DocumentVersion.objects.defer("pdf")
            .select_related("bloc_year__bloc")
            .filter(pdf_sha256=code)
            .first()
        )
    later = DocumentVersion.objects.defer("pdf").filter(replaces=result).first() if result else None
    return render(
        request,
        "documents/verify.html",
        {"result": result, "later": later, "checked": True, "code": code},
        status=200 if result else 404,
    )
