"""Signing on the server: a person's PKCS#12 given at signing time, the organisation's
certificate in a PKCS#11 token (SoftHSM2) or a PKCS#12 file, PAdES B-B / B-T, sequences."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from pyhanko.pdf_utils.reader import PdfFileReader

from blocs.models import AuditEvent
from signing import appearance, services
from signing.appearance import Rect
from signing.models import SignatureImage, SignedFile, SigningProfile, Verdict
from signing.verify import verify_pdf
from tests.documents import pdftools

from .conftest import PASSPHRASE, outside_sign, png, roots_of

pytestmark = pytest.mark.django_db


def _files_in_storage() -> list[str]:
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists("signing"):
        walk("signing")
    return found


def test_a_person_signs_their_block_with_a_pkcs12_given_at_signing_time(
    version, certs, trusted, world
):
    services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE, data=png(), width_mm=40, actor=world.secretary
    )
    box = services.layout_boxes(version)[0]
    assert (box.role, box.label) == ("secretary", "Thư ký")
    files_before = set(_files_in_storage())

    signed = services.version_sign(
        version=version,
        target="box-0",
        actor=world.secretary,
        secret=PASSPHRASE,
        pkcs12_data=certs.secretary.pkcs12(PASSPHRASE.encode()),
    )

    assert signed.source == SignedFile.Source.SERVER and signed.verdict == Verdict.VALID
    sig = signed.report["signatures"][0]
    assert sig["signer"]["common_name"] == "Lê Minh Đức" and sig["level"] == "PAdES B-B"
    # The field sits in the THƯ KÝ block, on its page, computed from the layout.
    assert sig["page"] == box.page
    x1, y1, x2, y2 = sig["rect"]
    assert box.x <= x1 < x2 <= box.x + box.width and box.y <= y1 < y2 <= box.y + box.height
    assert signed.read_bytes().startswith(version.pdf_bytes)
    # Neither the PKCS#12 nor its passphrase was kept anywhere.
    new_files = set(_files_in_storage()) - files_before
    assert [f.rsplit("/", 2)[-2] for f in new_files] == [str(version.pk)]  # the signed PDF only
    assert PASSPHRASE not in str(list(AuditEvent.objects.values_list("summary", "data")))
    state = services.signing_state(version)
    assert state.label == "đã ký (1/2)"
    assert state.slots[0].signature.signer["common_name"] == "Lê Minh Đức"


def test_a_wrong_passphrase_is_refused_and_nothing_is_stored(version, certs, world):
    with pytest.raises(ValidationError) as refused:
        services.version_sign(
            version=version,
            target="box-0",
            actor=world.secretary,
            secret="sai mật khẩu",
            pkcs12_data=certs.secretary.pkcs12(PASSPHRASE.encode()),
        )
    assert "sai mật khẩu" in refused.value.messages[0]
    assert not SignedFile.objects.exists()


def test_an_expired_personal_certificate_cannot_sign(version, certs, world):
    with pytest.raises(ValidationError) as refused:
        services.version_sign(
            version=version,
            target="box-1",
            actor=world.office,
            secret=PASSPHRASE,
            pkcs12_data=certs.expired.pkcs12(PASSPHRASE.encode()),
        )
    assert "đã hết hạn" in refused.value.messages[0]
    assert not SignedFile.objects.exists()


def test_person_then_organisation_through_softhsm_both_signatures_stay_valid(
    version, certs, pki, trusted, world, org_profile
):
    services.signature_image_upload(
        kind=SignatureImage.Kind.SEAL,
        data=png((220, 0, 0, 255), (600, 600), seal=True),
        width_mm=36,
        actor=world.office,
        organizer=world.organizer,
    )
    assert org_profile.cert_sha256 == certs.org.cert.fingerprint(hashes.SHA256()).hex()
    chair = outside_sign(
        version.pdf_bytes, certs.chair, field="ChuTri", page=1, box=_chair_rect(version)
    )
    services.signed_upload(version=version, data=chair, actor=world.secretary)

    signed = services.version_sign(
        version=version, target="org", actor=world.office, secret="123456"
    )

    data = signed.read_bytes()
    assert data.startswith(chair)  # an incremental update of the chair's file
    result = verify_pdf(data, original=version.pdf_bytes, trust_roots=roots_of(pki))
    assert [s.verdict for s in result.signatures] == ["valid", "valid"]
    assert result.signatures[0].signer["common_name"] == "Nguyễn Văn Hùng"
    assert result.signatures[1].signer["common_name"] == (
        "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh"
    )
    # The seal covers the left third of the chair's signature, at 36 mm (pixels: test_appearance).
    chair_rect = Rect.from_pdf(result.signatures[0].rect)
    seal = appearance.seal_within(Rect.from_pdf(result.signatures[1].rect), 36)
    assert seal.x + seal.width == pytest.approx(chair_rect.x + chair_rect.width / 3, abs=0.5)
    assert seal.width == pytest.approx(36 * 72 / 25.4, abs=0.5)
    # The organisation's name and the signing time (ISO 8601, +07:00) are on the page as text.
    page = result.signatures[1].page + 1
    text = pdftools.text(data, first=page, last=page)
    assert "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh" in " ".join(text.split())
    assert "+07:00" in text
    state = services.signing_state(version)
    assert state.required == 3 and state.signed == 2 and state.label == "đã ký (2/3)"
    assert state.slots[-1].is_org and state.slots[-1].signature is not None


def test_a_wrong_pin_is_refused(version, world, org_profile):
    with pytest.raises(ValidationError) as refused:
        services.version_sign(version=version, target="org", actor=world.office, secret="000000")
    assert refused.value.messages[0] == "Sai mã PIN của thiết bị ký số."
    assert not SignedFile.objects.exists()


def test_a_pkcs11_module_the_administrator_did_not_list_is_never_loaded(world, settings):
    settings.SIGNING_PKCS11_MODULES = []
    with pytest.raises(ValidationError) as refused:
        services.signing_profile_save(
            organizer=world.organizer,
            enabled=True,
            display_name="Khối thi đua",
            backend=SigningProfile.Backend.PKCS11,
            actor=world.office,
            pkcs11_module="/tmp/evil.so",
            pkcs11_token="t",
            pkcs11_key="k",
        )
    assert "chưa được người quản trị máy chủ cho phép" in refused.value.messages[0]
    assert not SigningProfile.objects.exists()


def test_an_organisation_pkcs12_asks_its_passphrase_at_each_signing(version, certs, trusted, world):
    profile = services.signing_profile_save(
        organizer=world.organizer,
        enabled=True,
        display_name="Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh",
        backend=SigningProfile.Backend.PKCS12,
        actor=world.office,
        pkcs12_data=certs.org.pkcs12(b"org-pass"),
        passphrase="org-pass",
    )
    assert "org-pass" not in str(SigningProfile.objects.values().get(pk=profile.pk))

    with pytest.raises(ValidationError):
        services.version_sign(version=version, target="org", actor=world.office, secret="")
    signed = services.version_sign(
        version=version, target="org", actor=world.office, secret="org-pass"
    )

    assert signed.verdict == Verdict.VALID


def test_with_a_timestamp_server_server_signatures_are_pades_b_t(
    version, certs, trusted, world, settings, tsa_server
):
    settings.SIGNING_TSA_URL = tsa_server.url
    before = tsa_server.requests

    signed = services.version_sign(
        version=version,
        target="box-1",
        actor=world.office,
        secret=PASSPHRASE,
        pkcs12_data=certs.chair.pkcs12(PASSPHRASE.encode()),
    )

    sig = signed.report["signatures"][0]
    assert sig["level"] == "PAdES B-T" and sig["time_source"] == "timestamp"
    assert tsa_server.requests > before  # the token came from the loopback server


def test_an_unreachable_timestamp_server_signs_nothing(version, certs, world, settings):
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens

    with pytest.raises(ValidationError) as refused:
        services.version_sign(
            version=version,
            target="box-1",
            actor=world.office,
            secret=PASSPHRASE,
            pkcs12_data=certs.chair.pkcs12(PASSPHRASE.encode()),
        )
    assert "dấu thời gian" in refused.value.messages[0]
    assert not SignedFile.objects.exists()


def test_a_block_already_signed_cannot_be_signed_again(version, certs, trusted, world):
    kwargs = dict(
        version=version,
        target="box-0",
        actor=world.secretary,
        secret=PASSPHRASE,
        pkcs12_data=certs.secretary.pkcs12(PASSPHRASE.encode()),
    )
    services.version_sign(**kwargs)
    with pytest.raises(ValidationError) as refused:
        services.version_sign(**kwargs)
    assert refused.value.messages[0] == "Vị trí ký không hợp lệ hoặc đã được ký."
    assert SignedFile.objects.count() == 1
    reader = PdfFileReader(io.BytesIO(services.current_signed(version).read_bytes()))
    assert len(list(reader.embedded_regular_signatures)) == 1


def _chair_rect(version):
    box = services.layout_boxes(version)[1]
    w, h = 40 * 72 / 25.4, 16 * 72 / 25.4
    x = box.x + (box.width - w) / 2
    y = box.y + (box.height - h) / 2
    return (x, y, x + w, y + h)
