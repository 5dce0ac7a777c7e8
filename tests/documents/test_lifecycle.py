"""Finalize locks a version; a change makes a new version that refers to the old one."""

import hashlib
import os
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from blocs.services import unit_rename
from documents import services
from documents.models import DocumentVersion

from . import pdftools


@pytest.fixture
def first(meeting, world):
    return services.document_finalize(
        kind="minutes",
        subject=meeting,
        actor=world.secretary,
        base_url="https://khoithidua.example",
    )


def test_finalize_stores_the_pdf_its_hash_and_a_number(first, world):
    assert first.version == 1 and first.replaces is None
    assert first.number == 1
    assert first.number_label == f"01/BB-{world.bloc.short_name}"
    assert hashlib.sha256(first.pdf_bytes).hexdigest() == first.pdf_sha256
    assert first.snapshot["number"] == 1
    assert first.verify_url == f"https://khoithidua.example/verify/{first.fingerprint}/"


def test_the_footer_prints_the_number_the_code_and_the_verification_url(first):
    text = pdftools.text(first.pdf_bytes)
    assert f"Số: {first.number_label}" in text
    assert "DỰ THẢO" not in text
    assert first.fingerprint[:32] in text.replace("\n", "")
    assert "https://khoithidua.example/verify/" in text


def test_rendering_the_stored_snapshot_again_gives_the_same_bytes(first):
    again = services.snapshot_pdf(first.kind, first.snapshot, stamp=services.stamp_of(first))
    assert hashlib.sha256(again).hexdigest() == first.pdf_sha256


def test_a_locked_version_cannot_be_changed_or_deleted(first):
    first.title = "Sửa trộm"
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    assert DocumentVersion.objects.get(pk=first.pk).title != "Sửa trộm"


def test_finalizing_again_without_a_change_is_refused(first, meeting):
    with pytest.raises(ValidationError, match="không thay đổi"):
        services.document_finalize(kind="minutes", subject=meeting, reason="Lần nữa")
    assert DocumentVersion.objects.count() == 1


def test_a_rename_makes_a_new_version_that_refers_to_the_old_and_keeps_its_bytes(
    first, meeting, world
):
    old_bytes = DocumentVersion.objects.get(pk=first.pk).pdf_bytes
    unit = world.units[2]
    old_name = unit.name
    unit_rename(
        unit=unit,
        new_name="Thi hành án dân sự tỉnh",
        effective_date=meeting.starts_at.date().replace(day=1),
    )
    with pytest.raises(ValidationError):
        services.document_finalize(kind="minutes", subject=meeting)  # a reason is required
    second = services.document_finalize(
        kind="minutes", subject=meeting, reason="Tên đơn vị theo Nghị quyết sáp nhập"
    )
    assert second.version == 2 and second.replaces_id == first.pk and second.number == 2
    again = DocumentVersion.objects.get(pk=first.pk)
    assert again.pdf_bytes == old_bytes
    assert hashlib.sha256(again.pdf_bytes).hexdigest() == first.pdf_sha256
    assert old_name in pdftools.text(again.pdf_bytes)
    assert "Thi hành án dân sự tỉnh" in pdftools.text(second.pdf_bytes)
    assert not again.is_current and second.is_current


def test_document_numbers_are_unique_per_bloc_year_and_symbol(first):
    clone = DocumentVersion(
        kind="report",
        bloc_year=first.bloc_year,
        subject_type=first.subject_type,
        subject_id=first.subject_id + 99,
        version=1,
        symbol=first.symbol,
        number=first.number,
        issued_on=first.issued_on,
        title="x",
        snapshot={},
        fingerprint="0" * 64,
        pdf=b"%PDF-x",
        pdf_sha256=hashlib.sha256(b"%PDF-x").hexdigest(),
        pdf_size=6,
        verify_url="x",
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def _upload(name, data, content_type):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_signed_scan_is_attached_once(first, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n" + b"0" * 100
    version = services.document_attach_scan(
        version=first, upload=_upload("scan.pdf", pdf, "application/pdf"), actor=world.secretary
    )
    assert version.scan_content_type == "application/pdf"
    assert version.scan_sha256 == hashlib.sha256(pdf).hexdigest()
    assert DocumentVersion.objects.get(pk=first.pk).pdf_sha256 == first.pdf_sha256
    with pytest.raises(ValidationError, match="đã có bản scan"):
        services.document_attach_scan(
            version=first, upload=_upload("b.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png")
        )


@pytest.mark.parametrize(
    "name,data,content_type,message",
    [
        ("trang.html", b"<html><script>alert(1)</script></html>", "text/html", "Chỉ nhận"),
        ("gia.pdf", b"<html>gia PDF</html>", "application/pdf", "Chỉ nhận"),
        ("rong.pdf", b"", "application/pdf", "rỗng"),
        ("lon.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf", "quá lớn"),
    ],
)
def test_scans_other_than_small_pdf_jpeg_or_png_are_refused(
    first, name, data, content_type, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        services.document_attach_scan(version=first, upload=_upload(name, data, content_type))
    assert not DocumentVersion.objects.get(pk=first.pk).scan


def test_finalize_stores_the_signature_boxes_of_the_layout_for_signing(first):
    roles = {b["role"]: b for b in first.signature_boxes}
    assert set(roles) == {"secretary", "chair"}
    last_page = pdftools.page_count(first.pdf_bytes) - 1
    for box in roles.values():
        assert box["page"] == last_page
        assert box["width"] > 100 and box["height"] > 50  # the signature space, in points
    # side by side: the secretary signs on the left, the chair on the right
    assert roles["secretary"]["x"] + roles["secretary"]["width"] <= roles["chair"]["x"]


def test_the_lock_confirms_the_number_and_the_prefilled_closing_time(client, meeting, world):
    from django.urls import reverse

    meeting.ends_at = None
    meeting.save()
    client.force_login(world.secretary)
    url = reverse("documents:finalize_confirm", args=["minutes", meeting.pk])
    page = client.get(url).content.decode()
    assert "Văn bản sẽ được cấp số 01/BB-" in page and 'name="ends"' in page
    finalize = reverse("documents:finalize", args=["minutes", meeting.pk])
    # A bad time, or a number that is no longer the next one: nothing is saved.
    client.post(finalize, {"number": 1, "ends": "25:99"})
    client.post(finalize, {"number": 2, "ends": "11:30"})
    meeting.refresh_from_db()
    assert meeting.ends_at is None and not DocumentVersion.objects.exists()
    response = client.post(finalize, {"number": 1, "ends": "11:30"})
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    meeting.refresh_from_db()
    assert meeting.ends_at is not None and version.number == 1
    assert "Hội nghị kết thúc vào 11 giờ 30 phút" in pdftools.text(version.pdf_bytes)


@pytest.mark.skipif(
    not shutil.which("zbarimg") and not os.environ.get("CI"),
    reason="zbar-tools (Debian) is not installed (.ci/run installs it; in CI this test never skips)",
)
def test_the_qr_code_decodes_from_a_200_dpi_scan_of_the_page(first, tmp_path):
    pdf = pdftools.write_tmp(first.pdf_bytes)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "scan"],
        check=True,
    )
    (image,) = tmp_path.glob("scan*.png")
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", image], capture_output=True, text=True, check=False
    ).stdout
    assert out.strip() == first.verify_url
