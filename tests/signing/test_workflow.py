"""Issue 11, the bullets that cross several parts: fields at the boxes the documents app stored,
the verdicts in the issue's own words on both pages, the images a signature used, and no
passphrase or PIN kept anywhere (database, files, sessions, logs)."""

from __future__ import annotations

import logging
import re

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import AuditEvent
from documents.models import DocumentVersion
from signing import services
from signing.appearance import MM
from signing.models import SignatureImage, SignedFile, SigningProfile

from .conftest import PASSPHRASE, outside_sign, png

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def pdf_upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("da-ky.pdf", data, content_type="application/pdf")


def _sign_secretary(version, certs, world):
    return services.version_sign(
        version=version,
        target="box-0",
        actor=world.secretary,
        secret=PASSPHRASE,
        pkcs12_data=certs.secretary.pkcs12(PASSPHRASE.encode()),
    )


def test_signature_fields_follow_the_boxes_the_document_stored_at_finalize(
    version, certs, trusted, world
):
    # The documents app stored the boxes of the layout at finalize; move the secretary's box
    # (as another print template would) and the field moves with it: nothing is recomputed
    # in signing/, nothing is a constant.
    stored = [dict(b) for b in version.signature_boxes]
    moved = dict(stored[0], x=stored[0]["x"] + 17.0, y=stored[0]["y"] + 150.0, width=170.0)
    DocumentVersion.objects.filter(pk=version.pk).update(signature_boxes=[moved, stored[1]])
    services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE, data=png(), width_mm=30, actor=world.secretary
    )

    signed = _sign_secretary(DocumentVersion.objects.get(pk=version.pk), certs, world)

    sig = signed.report["signatures"][0]
    x1, y1, x2, y2 = sig["rect"]
    assert sig["page"] == moved["page"]
    assert moved["x"] <= x1 < x2 <= moved["x"] + moved["width"]
    assert moved["y"] <= y1 < y2 <= moved["y"] + moved["height"]
    assert y1 > stored[0]["y"] + stored[0]["height"]  # not where the template first put it
    # Centred in the space, at the real width the signer gave for their image (30 mm).
    assert (x1 + x2) / 2 == pytest.approx(moved["x"] + moved["width"] / 2, abs=0.05)
    assert x2 - x1 == pytest.approx(30 * MM, abs=0.05)


def test_a_new_signature_image_is_a_new_version_and_a_signature_records_the_one_it_drew(
    version, certs, trusted, world
):
    first = services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE, data=png(), width_mm=40, actor=world.secretary
    )
    first_bytes = first.read_bytes()
    _sign_secretary(version, certs, world)
    second = services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE,
        data=png((0, 0, 0, 255)),
        width_mm=35,
        actor=world.secretary,
    )

    assert (first.version, second.version) == (1, 2)
    assert first.image.name != second.image.name
    assert SignatureImage.objects.get(pk=first.pk).read_bytes() == first_bytes  # kept as it was
    event = AuditEvent.objects.get(action="signing.signature_added")
    assert event.data["image"] == {
        "id": first.pk,
        "kind": "signature",
        "version": 1,
        "sha256": first.sha256,
    }
    first.width_mm = 50
    with pytest.raises(Exception, match="không được sửa"):
        first.save()


def test_the_version_page_shows_each_accepted_verdict_in_the_issues_words(
    client, world, version, certs, trusted
):
    client.force_login(world.office)
    url = reverse("documents:version_detail", args=[version.pk])
    valid = outside_sign(version.pdf_bytes, certs.secretary, field="ThuKy")
    client.post(reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(valid)})

    html = client.get(url).content.decode()
    assert _badges(html) == ["hiện hành", "đã ký (1/2)", "Hợp lệ"]

    # The chair signs with a certificate of a CA the operator has not loaded.
    both = outside_sign(valid, certs.rogue, field="ChuTri")
    client.post(reverse("signing:upload", args=[version.pk]), {"signed": pdf_upload(both)})
    html = client.get(url).content.decode()
    assert _badges(html) == [
        "hiện hành",
        "đã ký đủ",
        "Hợp lệ",
        "Hợp lệ nhưng chưa xác thực được nguồn cấp chứng thư",
    ]


def _badges(html: str) -> list[str]:
    """The badges of the page in order: the version's, the signing state, each signature's
    verdict in the panel (the details table repeats the verdicts: left out)."""
    html = html.split("<details>", 1)[0]
    return [b.strip() for b in re.findall(r'<span class="badge [^"]*"[^>]*>([^<]+)</span>', html)]


def test_the_version_page_refuses_in_the_issues_words_and_audits_it(
    client, world, version, version2, certs, trusted
):
    client.force_login(world.office)
    tampered = outside_sign(version2.pdf_bytes, certs.chair).replace(b"/Producer", b"/Producex", 1)
    of_v1 = outside_sign(version.pdf_bytes, certs.chair)

    changed = client.post(
        reverse("signing:upload", args=[version2.pk]), {"signed": pdf_upload(tampered)}
    )
    other = client.post(
        reverse("signing:upload", args=[version2.pk]), {"signed": pdf_upload(of_v1)}
    )

    assert changed.status_code == other.status_code == 422
    assert "Không hợp lệ: tài liệu đã bị sửa sau khi ký." in page_text(changed)
    assert (
        f"Không phải bản đã khóa số {version2.number_label} (phiên bản 2): phần đầu của tệp "
        "không trùng với tệp PDF đã khóa" in page_text(other)
    )
    assert not SignedFile.objects.exists()
    failures = AuditEvent.objects.filter(action="signing.verify_failed").order_by("pk")
    assert [(e.object_id, e.data["verdict"]) for e in failures] == [
        (str(version2.pk), "modified"),
        (str(version2.pk), "not_version"),
    ]


@pytest.mark.parametrize(
    ("case", "expected", "status"),
    [
        ("valid", "Kết luận: Hợp lệ", 200),
        ("untrusted", "Kết luận: Hợp lệ nhưng chưa xác thực được nguồn cấp chứng thư", 200),
        ("changed", "Không hợp lệ: tài liệu đã bị sửa sau khi ký.", 422),
        ("edited_then_signed", "Không phải bản đã khóa số", 422),
    ],
)
def test_the_public_verify_page_gives_each_verdict_in_the_issues_words(
    client, version, certs, trusted, case, expected, status
):
    from .test_verify import _change_page

    data = {
        "valid": lambda: outside_sign(version.pdf_bytes, certs.chair),
        "untrusted": lambda: outside_sign(version.pdf_bytes, certs.rogue),
        "changed": lambda: _change_page(outside_sign(version.pdf_bytes, certs.chair)),
        "edited_then_signed": lambda: _change_page(version.pdf_bytes, then_sign=certs.chair),
    }[case]()

    response = client.post(reverse("documents:verify"), {"file": pdf_upload(data)})

    assert response.status_code == status
    text = page_text(response)
    assert expected in text
    if status == 200:
        assert "Nguyễn Văn Hùng" in text and f"số {version.number_label}, phiên bản 1" in text
        assert not AuditEvent.objects.filter(action="signing.verify_failed").exists()
    else:
        failure = AuditEvent.objects.get(action="signing.verify_failed")
        assert failure.actor is None and failure.object_id == str(version.pk)
    assert not SignedFile.objects.exists()  # the public page stores nothing


def test_no_passphrase_or_pin_is_kept_anywhere(client, world, version, certs, trusted, caplog):
    person_secret = "bí-mật-cá-nhân-7731"
    org_secret = "bí-mật-cơ-quan-5519"
    caplog.set_level(logging.DEBUG)
    client.force_login(world.office)
    profile = client.post(
        reverse("signing:profile", args=[world.organizer.pk]),
        {
            "enabled": "on",
            "display_name": "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh",
            "backend": SigningProfile.Backend.PKCS12,
            "pkcs12": SimpleUploadedFile("co-quan.p12", certs.org.pkcs12(org_secret.encode())),
            "passphrase": org_secret,
        },
        follow=True,
    )
    assert SigningProfile.objects.get().enabled, page_text(profile)
    person = client.post(
        reverse("signing:sign", args=[version.pk]),
        {
            "target": "box-1",
            "pkcs12": SimpleUploadedFile("ca-nhan.p12", certs.chair.pkcs12(person_secret.encode())),
            "secret": person_secret,
        },
        follow=True,
    )
    assert "Đã ký số văn bản (lần ký 1)." in page_text(person)
    org = client.post(
        reverse("signing:sign", args=[version.pk]),
        {"target": "org", "secret": org_secret},
        follow=True,
    )
    assert "Đã ký số văn bản (lần ký 2)." in page_text(org)
    assert SignedFile.objects.count() == 2

    secrets = (person_secret, org_secret)
    # Every row of every table, sessions included.
    for model in apps.get_models():
        for row in model.objects.values():
            for value in row.values():
                blob = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
                needles = [s.encode() for s in secrets] if isinstance(blob, bytes) else secrets
                assert not any(n in blob for n in needles), model._meta.label
    # Every stored file, whatever the storage (the database by default, or MEDIA_ROOT): the
    # organisation's PKCS#12 is kept, encrypted, not its passphrase; the person's is not kept.
    stored = _stored_files()
    assert [name for name in stored if name.endswith(".p12")] == [
        SigningProfile.objects.get().pkcs12_file.name
    ]
    for name in stored:
        with default_storage.open(name, "rb") as f:
            data = f.read()
        assert not any(s.encode() in data for s in secrets), name
    # Nothing logged.
    assert not any(s in record.getMessage() for record in caplog.records for s in secrets)


def _stored_files(path: str = "") -> list[str]:
    dirs, files = default_storage.listdir(path)
    found = [f"{path}/{f}".lstrip("/") for f in files]
    for d in dirs:
        found.extend(_stored_files(f"{path}/{d}".lstrip("/")))
    return found


def test_the_documents_page_offers_the_signed_pdf_once_signed_at_the_same_query_cost(
    client, world, meeting, version, certs, trusted, django_assert_max_num_queries
):
    client.force_login(world.delegate)
    url = reverse("documents:meeting_documents", args=[meeting.pk])
    download = reverse("documents:version_pdf", args=[version.pk])
    client.get(url)
    with django_assert_max_num_queries(100) as unsigned:
        before = client.get(url)
    assert "đã ký số" not in page_text(before)

    signed = outside_sign(version.pdf_bytes, certs.chair)
    services.signed_upload(version=version, data=signed, actor=world.office)
    with django_assert_max_num_queries(len(unsigned.captured_queries)):
        after = client.get(url)

    html = after.content.decode()
    assert "đã ký số" in page_text(after)
    assert f'<a href="{download}">Tải PDF đã ký</a>' in html
    assert client.get(download).content == signed
    original = client.get(reverse("signing:original_pdf", args=[version.pk])).content
    assert original == bytes(DocumentVersion.objects.get(pk=version.pk).pdf)
