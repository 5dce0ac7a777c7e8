"""Ký số through its pages, as a clerk and as a member of the public use them."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from blocs.models import AuditEvent
from signing import services
from signing.models import SignatureImage, SignedFile, TrustRoot
from tests.e2e.test_html_valid import HTMX_ATTRIBUTES, VNU

from .conftest import PASSPHRASE, outside_sign, png

pytestmark = pytest.mark.django_db


def pdf_upload(data: bytes, name="da-ky.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def page_text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_version_page_goes_from_waiting_to_signed_as_files_are_uploaded(
    client, world, version, certs, trusted
):
    client.force_login(world.secretary)
    page = reverse("documents:version_detail", args=[version.pk])
    assert "Ký số chờ ký" in page_text(client.get(page))

    first = outside_sign(version.pdf_bytes, certs.secretary, field="ThuKy")
    response = client.post(
        reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(first)}, follow=True
    )
    text = page_text(response)
    assert "Đã lưu bản đã ký số (lần ký 1, 1 chữ ký)." in text
    assert "Ký số đã ký (1/2)" in text
    assert "Lê Minh Đức" in text and "Hợp lệ" in text

    second = outside_sign(first, certs.chair, field="ChuTri")
    response = client.post(
        reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(second)}, follow=True
    )
    text = page_text(response)
    assert "Ký số đã ký đủ" in text
    assert "Nguyễn Văn Hùng" in text
    assert "Số căn cước công dân 027075004321" in text
    assert "khác tên in dưới khối chữ ký" not in text  # the certificates match the printed names


def test_a_refused_upload_says_why_and_stores_nothing(client, world, version, certs, trusted):
    client.force_login(world.office)
    tampered = outside_sign(version.pdf_bytes, certs.chair)
    tampered = tampered.replace(b"/Producer", b"/Producex", 1)  # a byte inside the signed range

    response = client.post(
        reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(tampered)}
    )

    assert response.status_code == 422
    text = page_text(response)
    assert (
        "Không nhận tệp. Không hợp lệ: tài liệu đã bị sửa sau khi ký. Không có gì được lưu." in text
    )
    assert not SignedFile.objects.exists()
    assert (
        AuditEvent.objects.filter(action="signing.verify_failed", actor=world.office).count() == 1
    )


def test_once_signed_the_download_is_the_signed_pdf_and_the_finalized_one_stays_byte_identical(
    client, world, version, certs, trusted
):
    signed = outside_sign(version.pdf_bytes, certs.chair)
    services.signed_upload(version=version, data=signed, actor=world.office)
    client.force_login(world.delegate)

    download = client.get(reverse("documents:version_pdf", args=[version.pk]))
    original = client.get(reverse("signing:original_pdf", args=[version.pk]))

    assert download.content == signed
    assert download["ETag"] == f'"{hashlib.sha256(signed).hexdigest()}"'
    assert original.content == version.pdf_bytes
    assert hashlib.sha256(original.content).hexdigest() == version.pdf_sha256
    assert original["Content-Type"] == "application/pdf"


def test_the_public_verify_page_gives_the_verdict_of_a_signed_file(client, version, certs, trusted):
    signed = outside_sign(version.pdf_bytes, certs.chair)

    response = client.post(reverse("documents:verify"), {"file": pdf_upload(signed)})

    assert response.status_code == 200
    text = page_text(response)
    assert "Kết luận: Hợp lệ" in text
    assert f"số {version.number_label}, phiên bản 1" in text
    assert "Nguyễn Văn Hùng" in text and "Tòa án nhân dân tỉnh Bắc Ninh" in text
    assert "Không kiểm tra được (tệp không kèm CRL/OCSP dùng được)" in text
    assert not SignedFile.objects.exists()


def test_the_public_verify_page_marks_a_signature_of_an_untrusted_ca(
    client, version, certs, trusted
):
    response = client.post(
        reverse("documents:verify"),
        {"file": pdf_upload(outside_sign(version.pdf_bytes, certs.rogue))},
    )
    assert "Kết luận: Hợp lệ nhưng chưa xác thực được nguồn cấp chứng thư" in page_text(response)


def test_the_public_verify_page_refuses_a_signed_file_of_no_finalized_version(client, certs):
    from documents import rendering

    stranger = outside_sign(rendering.html_to_pdf("<p>Giấy tờ lạ</p>"), certs.chair)

    response = client.post(reverse("documents:verify"), {"file": pdf_upload(stranger)})

    assert response.status_code == 422
    assert "Không phải bản đã khóa" in page_text(response)
    assert AuditEvent.objects.filter(action="signing.verify_failed").count() == 1


def test_an_unsigned_pdf_on_the_verify_page_is_still_looked_up_by_its_hash(client, version):
    response = client.post(reverse("documents:verify"), {"file": pdf_upload(version.pdf_bytes)})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/verify/{version.pdf_sha256}/")


def test_signing_on_the_server_through_the_form(client, world, version, certs, trusted):
    client.force_login(world.secretary)
    client.post(
        reverse("signing:my_signature"),
        {"image": SimpleUploadedFile("ky.png", png(), content_type="image/png"), "width_mm": "40"},
    )
    page = client.get(reverse("documents:version_detail", args=[version.pk]))
    assert '<option value="box-0">Thư ký</option>' in page.content.decode()

    response = client.post(
        reverse("signing:sign", args=[version.pk]),
        {
            "target": "box-0",
            "pkcs12": SimpleUploadedFile(
                "ca-nhan.p12", certs.secretary.pkcs12(PASSPHRASE.encode())
            ),
            "secret": PASSPHRASE,
        },
        follow=True,
    )

    assert "Đã ký số văn bản (lần ký 1)." in page_text(response)
    stored = SignedFile.objects.get()
    assert stored.source == "server" and stored.created_by == world.secretary
    assert '<option value="box-0">' not in response.content.decode()  # signed: no longer offered


def test_a_wrong_passphrase_in_the_form_is_a_clear_message(client, world, version, certs):
    client.force_login(world.office)
    response = client.post(
        reverse("signing:sign", args=[version.pk]),
        {
            "target": "box-1",
            "pkcs12": SimpleUploadedFile("ca-nhan.p12", certs.chair.pkcs12(PASSPHRASE.encode())),
            "secret": "nhầm",
        },
        follow=True,
    )
    assert "Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải PKCS#12." in page_text(
        response
    )
    assert not SignedFile.objects.exists()


def test_office_staff_load_a_root_for_their_organizer(client, world, pki, certs):
    client.force_login(world.office)
    url = reverse("signing:trust_add")

    added = client.post(
        url,
        {
            "organizer": world.organizer.pk,
            "certificate": SimpleUploadedFile("root.cer", pki.root.der),
            "label": "Root thử",
        },
        follow=True,
    )
    duplicate = client.post(
        url,
        {
            "organizer": world.organizer.pk,
            "certificate": SimpleUploadedFile("root.pem", pki.root.pem),
        },
        follow=True,
    )
    leaf = client.post(
        url,
        {
            "organizer": world.organizer.pk,
            "certificate": SimpleUploadedFile("leaf.pem", certs.chair.pem),
        },
        follow=True,
    )
    junk = client.post(
        url,
        {"organizer": world.organizer.pk, "certificate": SimpleUploadedFile("x.cer", b"rac")},
        follow=True,
    )

    assert "Đã thêm 1 chứng thư vào danh sách tin cậy." in page_text(added)
    assert "đã có trong danh sách tin cậy" in page_text(duplicate)
    assert "không phải chứng thư của tổ chức cấp chứng thư (CA)" in page_text(leaf)
    assert "Không đọc được chứng thư số" in page_text(junk)
    root = TrustRoot.objects.get()
    assert root.organizer == world.organizer and root.label == "Root thử"
    assert AuditEvent.objects.filter(action="signing.trust_root_add").count() == 1


def test_signature_and_seal_images_must_be_transparent_and_the_seal_red(client, world):
    client.force_login(world.office)
    import io

    from PIL import Image

    opaque = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(opaque, "PNG")
    response = client.post(
        reverse("signing:my_signature"),
        {"image": SimpleUploadedFile("ky.png", opaque.getvalue()), "width_mm": "40"},
    )
    assert response.status_code == 422
    assert "Ảnh không có nền trong suốt" in page_text(response)

    blue_seal = client.post(
        reverse("signing:seal", args=[world.organizer.pk]),
        {"image": SimpleUploadedFile("dau.png", png(seal=True, size=(300, 300))), "width_mm": "36"},
        follow=True,
    )
    assert "Hình con dấu phải màu đỏ" in page_text(blue_seal)
    assert not SignatureImage.objects.exists()

    for _ in range(2):
        client.post(
            reverse("signing:seal", args=[world.organizer.pk]),
            {
                "image": SimpleUploadedFile(
                    "dau.png", png((220, 0, 0, 255), (300, 300), seal=True)
                ),
                "width_mm": "36",
            },
        )
    assert list(SignatureImage.objects.values_list("version", flat=True).order_by("version")) == [
        1,
        2,
    ]


def test_the_version_page_costs_the_same_queries_however_many_times_it_was_signed(
    client, world, version, certs, trusted, django_assert_max_num_queries
):
    client.force_login(world.office)
    url = reverse("documents:version_detail", args=[version.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as unsigned:
        client.get(url)
    data = version.pdf_bytes
    for issued, field in ((certs.secretary, "A"), (certs.chair, "B")):
        data = outside_sign(data, issued, field=field)
        services.signed_upload(version=version, data=data, actor=world.office)
    with django_assert_max_num_queries(len(unsigned.captured_queries) + 2):
        response = client.get(url)
    assert "đã ký đủ" in page_text(response)


def test_uploading_without_the_csrf_token_is_refused(world, version, certs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.post(
        reverse("signing:upload", args=[version.pk]),
        {"signed": pdf_upload(outside_sign(version.pdf_bytes, certs.chair))},
    )
    assert response.status_code == 403
    assert not SignedFile.objects.exists()


@pytest.mark.skipif(not VNU.exists() or not shutil.which("java"), reason="vnu.jar/Java chưa cài")
def test_the_signing_panel_and_the_verdict_page_are_valid_html(
    client, world, version, certs, trusted, tmp_path
):
    signed = outside_sign(version.pdf_bytes, certs.chair)
    services.signed_upload(version=version, data=signed, actor=world.office)
    client.force_login(world.office)
    pages = {
        "version.html": client.get(reverse("documents:version_detail", args=[version.pk])),
        "verdict.html": client.post(reverse("documents:verify"), {"file": pdf_upload(signed)}),
        "refusal.html": client.post(
            reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(b"%PDF-1.7 rac")}
        ),
    }
    for name, response in pages.items():
        (tmp_path / name).write_bytes(response.content)
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--filterpattern",
            HTMX_ATTRIBUTES,
        ]
        + [str(tmp_path / n) for n in pages],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [m for m in messages if m.get("type") == "error"] == []


def test_a_signature_by_someone_else_than_the_printed_name_is_flagged(
    client, world, version, certs, trusted
):
    # The secretary's block prints "Lê Minh Đức"; the chair's certificate signs it.
    services.signed_upload(
        version=version,
        data=outside_sign(version.pdf_bytes, certs.chair, field="ThuKy"),
        actor=world.office,
    )
    state = services.signing_state(version)
    assert state.slots[0].signature.signer["common_name"] == "Nguyễn Văn Hùng"
    assert state.slots[0].name_differs
    client.force_login(world.office)
    text = page_text(client.get(reverse("documents:version_detail", args=[version.pk])))
    assert "Nguyễn Văn Hùng Tòa án nhân dân tỉnh Bắc Ninh khác tên in dưới khối chữ ký" in text


def test_a_pem_bundle_adds_each_ca_of_the_chain(world, pki):
    bundle = pki.root.pem + pki.intermediate.pem
    added = services.trust_root_add(organizer=world.organizer, data=bundle, actor=world.office)
    assert [r.subject for r in added] == [
        "CN=KTD Test Root CA,O=KTD Test PKI,C=VN",
        "CN=KTD Test Signing CA,O=KTD Test PKI,C=VN",
    ]


def test_a_file_over_the_limit_is_refused_by_the_form_and_nothing_is_stored(
    client, world, version, certs, monkeypatch
):
    monkeypatch.setattr(services, "MAX_SIGNED_BYTES", 10)
    monkeypatch.setattr(services, "MAX_IMAGE_BYTES", 10)
    monkeypatch.setattr(services, "MAX_CERT_BYTES", 10)
    client.force_login(world.office)
    image = {"image": SimpleUploadedFile("ky.png", png()), "width_mm": "40"}
    mine = client.post(reverse("signing:my_signature"), image)
    assert mine.status_code == 422 and "Tệp quá lớn: tối đa 2 MB." in page_text(mine)
    image = {"image": SimpleUploadedFile("dau.png", png(seal=True)), "width_mm": "36"}
    seal = client.post(reverse("signing:seal", args=[world.organizer.pk]), image, follow=True)
    assert "Tệp quá lớn: tối đa 2 MB." in page_text(seal)
    upload = client.post(
        reverse("signing:upload", args=[version.pk]),
        {"signed": pdf_upload(b"%PDF-1.7 " + b"x" * 20)},
        follow=True,
    )
    assert "Tệp quá lớn: tối đa 20 MB." in page_text(upload)
    p12 = SimpleUploadedFile("ca-nhan.p12", certs.chair.pkcs12(PASSPHRASE.encode()))
    sign = client.post(
        reverse("signing:sign", args=[version.pk]),
        {"target": "box-1", "pkcs12": p12, "secret": PASSPHRASE},
        follow=True,
    )
    assert "Tệp chứng thư quá lớn: tối đa 256 KB." in page_text(sign)
    assert not SignatureImage.objects.exists() and not SignedFile.objects.exists()
