"""Document operations: draft rendering, finalize (render, hash, store), new versions, scans."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from blocs.models import BlocYear
from blocs.services import audit
from khoithidua.lib.qr import qr_data_uri

from . import builders, rendering
from .models import DocumentVersion

MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def fingerprint_of(snapshot: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot (number and version included)."""
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stamp_of(version: DocumentVersion) -> dict:
    return {
        "number_label": version.number_label,
        "version": version.version,
        "replaces_label": f"{version.replaces.number_label} v{version.replaces.version}"
        if version.replaces_id
        else "",
        "finalized_on": version.snapshot.get("finalized_on", ""),
        "fingerprint": version.fingerprint,
        "verify_url": version.verify_url,
        "qr": qr_data_uri(version.verify_url),
    }


def render_snapshot_html(
    kind: str,
    snapshot: dict,
    *,
    stamp: dict | None = None,
    preview: bool = False,
    for_pdf: bool = False,
) -> str:
    dt_ = builders.doc_type(kind)
    with translation.override("vi"):  # a document is in Vietnamese whatever the UI language
        return rendering.render_html(
            dt_.template, {"doc": snapshot, "stamp": stamp, "preview": preview, "for_pdf": for_pdf}
        )


def snapshot_rendered(kind: str, snapshot: dict, *, stamp: dict | None = None):
    """The PDF of a snapshot and its signature boxes (print template, cached print stylesheet)."""
    return rendering.render_pdf(
        render_snapshot_html(kind, snapshot, stamp=stamp, for_pdf=True), print_css=True
    )


def snapshot_pdf(kind: str, snapshot: dict, *, stamp: dict | None = None) -> bytes:
    return snapshot_rendered(kind, snapshot, stamp=stamp).pdf


def build(kind: str, subject) -> dict:
    """The snapshot of a document, its words in Vietnamese whatever the reader's UI language
    (the owning apps' producers translate their sentences with gettext)."""
    with translation.override("vi"):
        return builders.doc_type(kind).build(subject)


def draft_snapshot(kind: str, subject) -> dict:
    return build(kind, subject)


def draft_pdf(kind: str, subject) -> bytes:
    return snapshot_pdf(kind, draft_snapshot(kind, subject))


def next_number(kind: str, subject, snapshot: dict | None = None) -> int:
    """The number finalize would assign now (shown in the confirmation)."""
    dtype = builders.doc_type(kind)
    snapshot = snapshot or build(kind, subject)
    bloc_year = dtype.bloc_year_of(subject)
    return (
        DocumentVersion.objects.filter(bloc_year=bloc_year, symbol=snapshot["symbol"]).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1


def finalize_offer(kind: str, subject) -> dict:
    """What the confirmation shows before a lock: the number it will assign, what is still
    missing, and the facts the clerk may confirm right there, prefilled from what the app
    holds (the minutes' closing time: now, on the meeting's day)."""
    from meetings.minutes import ENDS_MISSING
    from meetings.services import TallyTampered

    try:
        snapshot = draft_snapshot(kind, subject)
    except TallyTampered as exc:
        # A vote's data changed after its seal: nothing can be locked, and the offer says why
        # (the pages that show the offer must not fail on it).
        return {"snapshot": None, "number": None, "number_label": "", "missing": exc.messages}
    number = next_number(kind, subject, snapshot)
    missing = list(snapshot.get("missing", []))
    ends = None
    ends_text = gettext(ENDS_MISSING)
    if kind == "minutes" and ends_text in missing:
        missing.remove(ends_text)
        now = timezone.localtime()
        on = dt.date.fromisoformat(snapshot["date"])
        ends = now.strftime("%H:%M") if now.date() == on else ""
    return {
        "snapshot": snapshot,
        "number": number,
        "number_label": f"{number:02d}/{snapshot['symbol']}",
        "missing": missing,
        "ends": ends,  # None: known already; "" or "HH:MM": to confirm in the form
    }


@transaction.atomic
def minutes_record_end(*, meeting, time: dt.time, actor=None):
    """The closing time confirmed at finalize, on the meeting's own day."""
    from meetings.services import meeting_date, meeting_update

    ends_at = timezone.make_aware(dt.datetime.combine(meeting_date(meeting), time))
    return meeting_update(meeting=meeting, actor=actor, ends_at=ends_at)


def missing_message(missing: list[str]) -> str:
    items = " ".join(f"({i}) {m}" for i, m in enumerate(missing, 1))
    return gettext("Chưa thể khóa văn bản; hãy ghi đủ: %(items)s") % {"items": items}


def versions_of(kind: str, subject):
    ct = ContentType.objects.get_for_model(subject)
    return DocumentVersion.objects.filter(
        kind=kind, subject_type=ct, subject_id=subject.pk
    ).order_by("version")


def verify_url_for(fingerprint: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("documents:verify_hash", args=[fingerprint])


@transaction.atomic
def document_finalize(
    *,
    kind: str,
    subject,
    actor=None,
    base_url: str = "http://localhost",
    reason: str = "",
    finalized_on: dt.date | None = None,
    expected_number: int | None = None,
) -> DocumentVersion:
    """Lock a version: snapshot the data, number it, render the PDF, hash and store it.

    A later finalize of the same subject makes version n+1 with a new number, referring to
    version n (which stays as it was). Nothing changed since the last version: refused.
    Refused too while the document lacks a fact a signed document must state (the snapshot's
    `missing`: an open poll, a signer without name or title, an empty covenant …), and when
    `expected_number` (the number the clerk confirmed) is no longer the next one.
    """
    dtype = builders.doc_type(kind)
    if not dtype.finalizable:
        raise ValidationError("Loại văn bản này không cần khóa.")
    # Numbering is one writer at a time per bloc-year; NO KEY: rows that only refer to the year
    # (a meeting, an award being added meanwhile) do not wait for the PDF to render.
    bloc_year: BlocYear = BlocYear.objects.select_for_update(of=("self",), no_key=True).get(
        pk=dtype.bloc_year_of(subject).pk
    )
    ct = ContentType.objects.get_for_model(subject)
    previous = (
        DocumentVersion.objects.filter(kind=kind, subject_type=ct, subject_id=subject.pk)
        .order_by("-version")
        .first()
    )
    snapshot = build(kind, subject)
    if snapshot.get("missing"):
        raise ValidationError(missing_message(snapshot["missing"]))
    if previous is not None:
        old = {
            k: v
            for k, v in previous.snapshot.items()
            if k not in ("number", "version", "finalized_on")
        }
        new = {k: v for k, v in snapshot.items() if k not in ("number", "version", "finalized_on")}
        if old == new:
            raise ValidationError(
                f"Dữ liệu không thay đổi so với phiên bản {previous.version}; không cần lập phiên bản mới."
            )
        if not reason.strip():
            raise ValidationError({"reason": "Hãy ghi lý do lập phiên bản mới."})
    symbol = snapshot["symbol"]
    number = (
        DocumentVersion.objects.filter(bloc_year=bloc_year, symbol=symbol).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1
    if expected_number is not None and expected_number != number:
        raise ValidationError(
            f"Số văn bản đã thay đổi: số tiếp theo nay là {number:02d}/{symbol} "
            f"(không phải {expected_number:02d}); hãy xác nhận lại."
        )
    version = (previous.version + 1) if previous else 1
    finalized_on = finalized_on or timezone.localdate()
    snapshot["number"] = number
    snapshot["version"] = version
    snapshot["finalized_on"] = finalized_on.strftime("%d/%m/%Y")
    fingerprint = fingerprint_of(snapshot)
    doc = DocumentVersion(
        kind=kind,
        bloc_year=bloc_year,
        subject_type=ct,
        subject_id=subject.pk,
        version=version,
        symbol=symbol,
        number=number,
        issued_on=dt.date.fromisoformat(snapshot["date"]),
        title=f"{snapshot['title']} {snapshot.get('subject', '')}".strip()[:500],
        snapshot=snapshot,
        fingerprint=fingerprint,
        verify_url=verify_url_for(fingerprint, base_url),
        replaces=previous,
        reason=reason.strip()[:500],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    doc.replaces = previous
    rendered = snapshot_rendered(kind, snapshot, stamp=stamp_of(doc))
    pdf = rendered.pdf
    doc.signature_boxes = rendered.signature_boxes
    doc.pdf = pdf
    doc.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    doc.pdf_size = len(pdf)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError as exc:
        raise ValidationError("Văn bản vừa được khóa bởi người khác; hãy tải lại trang.") from exc
    audit(
        actor=actor,
        action="document.finalize",
        obj=doc,
        summary=f"Khóa {doc.get_kind_display()} số {doc.number_label}, phiên bản {version}",
        data={"pdf_sha256": doc.pdf_sha256, "replaces": previous.pk if previous else None},
    )
    return doc


def sniff_scan_type(head: bytes) -> str | None:
    for content_type, magics in SCAN_TYPES.items():
        if any(head.startswith(m) for m in magics):
            return content_type
    return None


@transaction.atomic
def document_attach_scan(*, version: DocumentVersion, upload, actor=None) -> DocumentVersion:
    """Attach the signed scan (PDF, JPEG or PNG, at most 10 MB). Once attached, it stays."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.scan:
        raise ValidationError(
            {"scan": "Phiên bản này đã có bản scan; muốn thay, hãy lập phiên bản mới."}
        )
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError({"scan": "Tệp quá lớn: tối đa 10 MB."})
    if upload.size == 0:
        raise ValidationError({"scan": "Tệp rỗng."})
    data = upload.read()
    content_type = sniff_scan_type(data[:16])
    if content_type is None:
        raise ValidationError({"scan": "Chỉ nhận tệp PDF, JPEG hoặc PNG."})
    from django.core.files.base import ContentFile

    version.scan_content_type = content_type
    version.scan_sha256 = hashlib.sha256(data).hexdigest()
    version.scan_size = len(data)
    version.scan_uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    version.scan_uploaded_at = timezone.now()
    version.scan.save("scan", ContentFile(data), save=False)
    version.save(
        update_fields=sorted(
            {
                "scan",
                "scan_content_type",
                "scan_sha256",
                "scan_size",
                "scan_uploaded_by",
                "scan_uploaded_at",
            }
        )
    )
    audit(
        actor=actor,
        action="document.scan",
        obj=version,
        summary=f"Đính kèm bản scan có chữ ký cho văn bản số {version.number_label}",
        data={"sha256": version.scan_sha256, "size": version.scan_size},
    )
    return version
