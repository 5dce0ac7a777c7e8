"""Verifying a file signed outside the app (the main path): every case of issue 11."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from asn1crypto import crl as asn1_crl
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore

from blocs.models import AuditEvent
from signing import services
from signing.models import SignedFile, Verdict
from signing.verify import verify_pdf

from .conftest import PASSPHRASE, outside_sign, roots_of

pytestmark = pytest.mark.django_db


def _change_page(data: bytes, *, then_sign=None) -> bytes:
    """An incremental update that replaces page 1's content (what a forger would do); with
    `then_sign`, the same revision also carries a new signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _res = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (KHONG CO GIA TRI) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    if then_sign is not None:
        signer = signers.SimpleSigner.load_pkcs12_data(
            then_sign.pkcs12(PASSPHRASE.encode()), other_certs=[], passphrase=PASSPHRASE.encode()
        )
        meta = PdfSignatureMetadata(field_name="ChuKy", subfilter=fields.SigSeedSubFilter.PADES)
        return PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flip_byte_in_first_stream(data: bytes) -> bytes:
    pos = data.index(b"stream", 2000) + 40
    return data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :]


def test_file_signed_elsewhere_on_the_finalized_pdf_is_valid_and_stored(
    version, certs, trusted, world
):
    original = version.pdf_bytes
    signed = outside_sign(original, certs.chair)

    stored = services.signed_upload(version=version, data=signed, actor=world.secretary)

    assert stored.seq == 1 and stored.verdict == Verdict.VALID
    assert stored.read_bytes() == signed
    report = stored.report
    assert report["base_ok"] is True
    assert report["base_sha256"] == version.pdf_sha256
    sig = report["signatures"][0]
    assert sig["verdict"] == "valid"
    assert sig["signer"]["common_name"] == "Nguyễn Văn Hùng"
    assert sig["signer"]["organization"] == "Tòa án nhân dân tỉnh Bắc Ninh"
    assert sig["signer"]["id_label"] == "Số căn cước công dân"
    assert sig["signer"]["id_value"] == "027075004321"
    assert sig["signer"]["issuer"].startswith("CN=KTD Test Signing CA")
    assert sig["signer"]["serial"] == f"{certs.chair.cert.serial_number:X}"
    assert sig["valid_at_signing"] and sig["key_usage_ok"] and sig["trusted"]
    assert sig["revocation"] == "unknown"  # no CRL/OCSP embedded: "không kiểm tra được"
    assert sig["level"] == "PAdES B-B"
    # The finalized bytes did not change and are still what the version holds.
    version.refresh_from_db()
    assert hashlib.sha256(version.pdf_bytes).hexdigest() == version.pdf_sha256
    assert signed.startswith(version.pdf_bytes)
    event = AuditEvent.objects.get(action="signing.signature_added")
    assert "Nguyễn Văn Hùng" in event.summary and event.actor == world.secretary


def test_signature_by_an_untrusted_ca_is_kept_but_marked_as_such(version, certs, trusted, world):
    signed = outside_sign(version.pdf_bytes, certs.rogue)

    stored = services.signed_upload(version=version, data=signed, actor=world.office)

    assert stored.verdict == Verdict.UNTRUSTED
    assert Verdict(stored.verdict).label == "Hợp lệ nhưng chưa xác thực được nguồn cấp chứng thư"
    assert stored.report["signatures"][0]["trusted"] is False


def test_the_untrusted_signature_becomes_valid_once_the_operator_loads_its_root(
    version, certs, rogue_pki, world
):
    stored = services.signed_upload(
        version=version, data=outside_sign(version.pdf_bytes, certs.rogue), actor=world.office
    )
    assert stored.verdict == Verdict.UNTRUSTED

    services.trust_root_add(organizer=world.organizer, data=rogue_pki.root.der, actor=world.office)
    services.signed_file_reverify(signed_file=stored, actor=world.office)

    stored.refresh_from_db()
    assert stored.verdict == Verdict.VALID


def test_a_root_of_another_organizer_does_not_make_a_signature_trusted(version, certs, pki, world):
    services.trust_root_add(
        organizer=world.other_organizer, data=pki.root.pem, actor=world.other_office
    )

    stored = services.signed_upload(
        version=version, data=outside_sign(version.pdf_bytes, certs.chair), actor=world.office
    )

    assert stored.verdict == Verdict.UNTRUSTED


def test_an_expired_certificate_is_refused_and_nothing_is_stored(version, certs, trusted, world):
    signed = outside_sign(version.pdf_bytes, certs.expired)

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=signed, actor=world.office)

    assert refused.value.result.verdict == Verdict.EXPIRED
    assert "hết hạn" in refused.value.messages[0]
    assert not SignedFile.objects.exists()
    failure = AuditEvent.objects.get(action="signing.verify_failed")
    assert failure.object_id == str(version.pk)
    assert failure.data["verdict"] == "expired"
    assert failure.data["sha256"] == hashlib.sha256(signed).hexdigest()


def test_a_signature_over_another_version_is_refused(version, version2, certs, trusted, world):
    signed_v1 = outside_sign(version.pdf_bytes, certs.chair)

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version2, data=signed_v1, actor=world.office)

    message = refused.value.messages[0]
    assert message.startswith(f"Không phải bản đã khóa số {version2.number_label} (phiên bản 2)")
    assert f"văn bản số {version.number_label}, phiên bản 1" in message
    assert refused.value.result.verdict == Verdict.NOT_VERSION
    assert not SignedFile.objects.exists()
    assert AuditEvent.objects.filter(
        action="signing.verify_failed", object_id=str(version2.pk)
    ).exists()


def test_bytes_changed_after_signing_are_refused(version, certs, trusted, world):
    tampered = _flip_byte_in_first_stream(outside_sign(version.pdf_bytes, certs.chair))

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=tampered, actor=world.office)

    assert refused.value.result.verdict == Verdict.MODIFIED
    assert refused.value.messages[0] == "Không hợp lệ: tài liệu đã bị sửa sau khi ký."
    assert refused.value.result.signatures[0].intact is False
    assert not SignedFile.objects.exists()


def test_a_later_revision_that_changes_the_page_content_is_refused(version, certs, trusted, world):
    signed = outside_sign(version.pdf_bytes, certs.chair)
    forged = _change_page(signed)
    assert forged.startswith(signed)  # the signature itself still checks out …

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=forged, actor=world.office)

    result = refused.value.result
    assert result.signatures[0].intact and result.signatures[0].valid
    assert result.verdict == Verdict.MODIFIED  # … but the page changed after it
    assert result.problem == "changed_after_signing"
    assert refused.value.messages[0] == "Không hợp lệ: tài liệu đã bị sửa sau khi ký."
    assert not SignedFile.objects.exists()


def test_content_changed_in_the_same_revision_as_the_signature_is_not_the_finalized_version(
    version, certs, trusted, world
):
    forged = _change_page(version.pdf_bytes, then_sign=certs.chair)
    assert forged.startswith(version.pdf_bytes)

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=forged, actor=world.office)

    assert refused.value.result.verdict == Verdict.NOT_VERSION
    assert refused.value.result.problem == "changed_before_signing"
    assert "nội dung đã bị thay đổi trước khi ký" in refused.value.messages[0]


def test_two_signatures_in_sequence_both_stay_valid(version, certs, trusted, world):
    first = outside_sign(version.pdf_bytes, certs.secretary, field="ThuKy")
    services.signed_upload(version=version, data=first, actor=world.secretary)
    second = outside_sign(first, certs.chair, field="ChuTri")

    stored = services.signed_upload(version=version, data=second, actor=world.secretary)

    assert stored.seq == 2 and stored.signature_count == 2
    sigs = stored.report["signatures"]
    assert [s["signer"]["common_name"] for s in sigs] == ["Lê Minh Đức", "Nguyễn Văn Hùng"]
    assert [s["verdict"] for s in sigs] == ["valid", "valid"]
    assert sigs[0]["coverage"] == "entire_revision" and sigs[1]["coverage"] == "entire_file"
    assert AuditEvent.objects.filter(action="signing.signature_added").count() == 2
    state = services.signing_state(version)
    assert (state.signed, state.required, state.label) == (2, 2, "đã ký đủ")


def test_a_file_that_drops_an_earlier_signature_is_refused(version, certs, trusted, world):
    services.signed_upload(
        version=version, data=outside_sign(version.pdf_bytes, certs.secretary), actor=world.office
    )
    parallel = outside_sign(version.pdf_bytes, certs.chair)  # signed on the unsigned PDF

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=parallel, actor=world.office)

    assert "không chứa các chữ ký đã lưu" in refused.value.messages[0]
    assert SignedFile.objects.count() == 1


def test_a_certificate_not_allowed_to_sign_is_refused(version, certs, trusted, world):
    signed = outside_sign(version.pdf_bytes, certs.encipher_only)

    result = verify_pdf(signed, original=version.pdf_bytes, trust_roots=[])

    assert result.signatures[0].verdict == Verdict.KEY_USAGE
    assert result.signatures[0].key_usage_ok is False


def test_revocation_is_checked_against_an_embedded_crl(version, certs, pki):
    signed = outside_sign(version.pdf_bytes, certs.chair)

    def with_crl(revoked):
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, crls=[asn1_crl.CertificateList.load(pki.crl(revoked))]
        )
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    roots = roots_of(pki)
    plain = verify_pdf(signed, original=version.pdf_bytes, trust_roots=roots)
    good = verify_pdf(with_crl([]), original=version.pdf_bytes, trust_roots=roots)
    revoked = verify_pdf(
        with_crl([certs.chair.cert]), original=version.pdf_bytes, trust_roots=roots
    )

    assert plain.signatures[0].revocation == "unknown"
    assert good.signatures[0].revocation == "good"
    assert good.signatures[0].revocation_source == "CRL"
    assert good.verdict == Verdict.VALID  # adding a DSS later is allowed (LTA update)
    assert revoked.signatures[0].revocation == "revoked"
    assert revoked.verdict == Verdict.REVOKED


def test_revocation_is_checked_against_an_embedded_ocsp_response(version, pki):
    from asn1crypto import ocsp as asn1_ocsp

    # A certificate that names an OCSP responder (as the national CAs' certificates do).
    chair = pki.issue(
        "Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh", with_crl_url=False, with_ocsp_url=True
    )
    signed = outside_sign(version.pdf_bytes, chair)

    def with_ocsp(revoked: bool) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        response = asn1_ocsp.OCSPResponse.load(pki.ocsp(chair.cert, revoked=revoked))
        DocumentSecurityStore.supply_dss_in_writer(writer, None, ocsps=[response])
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    roots = roots_of(pki)
    plain = verify_pdf(signed, original=version.pdf_bytes, trust_roots=roots)
    good = verify_pdf(with_ocsp(False), original=version.pdf_bytes, trust_roots=roots)
    revoked = verify_pdf(with_ocsp(True), original=version.pdf_bytes, trust_roots=roots)

    assert plain.signatures[0].revocation == "unknown"  # "không kiểm tra được"
    assert (good.signatures[0].revocation, good.signatures[0].revocation_source) == (
        "good",
        "OCSP",
    )
    assert good.verdict == Verdict.VALID
    assert revoked.signatures[0].revocation == "revoked"
    assert revoked.verdict == Verdict.REVOKED


def _with_ocsp(signed: bytes, response: bytes) -> bytes:
    from asn1crypto import ocsp as asn1_ocsp

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, None, ocsps=[asn1_ocsp.OCSPResponse.load(response)]
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def ocsp_signer(pki):
    return pki.issue(
        "Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh", with_crl_url=False, with_ocsp_url=True
    )


def test_an_ocsp_response_gathered_after_signing_still_counts(version, pki, ocsp_signer):
    # Signing tools add validation data after the signature; pyHanko alone drops a response
    # issued after the signing time as "too recent", and the chain then looked untrusted.
    signed = outside_sign(version.pdf_bytes, ocsp_signer)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    result = verify_pdf(
        _with_ocsp(signed, pki.ocsp(ocsp_signer.cert, at=later)),
        original=version.pdf_bytes,
        trust_roots=roots_of(pki),
    )

    sig = result.signatures[0]
    assert (sig.revocation, sig.revocation_source, sig.trusted) == ("good", "OCSP", True)
    assert result.verdict == Verdict.VALID


def test_a_revocation_after_the_claimed_signing_time_is_revoked_without_a_timestamp(
    version, pki, ocsp_signer
):
    # The time in a B-B signature is what the signer's software wrote: whoever holds a revoked
    # key can write any time. Revoked an hour after signing, by the response's own account.
    signed = outside_sign(version.pdf_bytes, ocsp_signer)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)  # revoked at ≈ now + 1 h

    result = verify_pdf(
        _with_ocsp(signed, pki.ocsp(ocsp_signer.cert, revoked=True, at=at)),
        original=version.pdf_bytes,
        trust_roots=roots_of(pki),
    )

    sig = result.signatures[0]
    assert sig.revocation == "revoked" and sig.revoked_on
    assert result.verdict == Verdict.REVOKED
    assert not result.accepted


def test_a_timestamp_earlier_than_the_revocation_keeps_the_signature_valid(
    version, pki, ocsp_signer, tsa_server
):
    signed = outside_sign(
        version.pdf_bytes, ocsp_signer, timestamper=HTTPTimeStamper(tsa_server.url)
    )
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)

    result = verify_pdf(
        _with_ocsp(signed, pki.ocsp(ocsp_signer.cert, revoked=True, at=at)),
        original=version.pdf_bytes,
        trust_roots=roots_of(pki),
    )

    sig = result.signatures[0]
    assert sig.level == "PAdES B-T" and sig.timestamp_trusted
    assert (sig.revocation, sig.trusted) == ("revoked_later", True)
    assert result.verdict == Verdict.VALID
    from signing.templatetags.signing import revocation_label

    assert revocation_label(sig).startswith("Bị thu hồi sau thời điểm ký (")


def test_a_timestamped_signature_is_pades_b_t_and_dated_by_the_tsa(version, certs, pki, tsa_server):
    signed = outside_sign(
        version.pdf_bytes, certs.chair, timestamper=HTTPTimeStamper(tsa_server.url)
    )

    result = verify_pdf(signed, original=version.pdf_bytes, trust_roots=roots_of(pki))

    sig = result.signatures[0]
    assert sig.level == "PAdES B-T"
    assert sig.time_source == "timestamp" and sig.timestamp_trusted
    assert result.verdict == Verdict.VALID


def test_a_pdf_without_signature_and_a_non_pdf_are_refused(version, world):
    for data in (version.pdf_bytes, b"not a pdf at all"):
        with pytest.raises(services.SignatureRefused) as refused:
            services.signed_upload(version=version, data=data, actor=world.office)
        assert refused.value.messages[0] == "Tệp không phải PDF có chữ ký số."
    assert not SignedFile.objects.exists()
    assert AuditEvent.objects.filter(action="signing.verify_failed").count() == 2


def test_public_verification_finds_the_version_from_the_file_alone(version, certs, trusted):
    signed = outside_sign(version.pdf_bytes, certs.chair)

    result, found, refusal = services.verify_public(data=signed)

    assert found == version and refusal == ""
    assert result.verdict == Verdict.VALID
    assert not SignedFile.objects.exists()  # the public page stores nothing


def test_public_verification_of_an_unknown_signed_file_says_so_and_is_audited(certs, world):
    from documents import rendering

    other = rendering.html_to_pdf("<p>Văn bản không có trong hệ thống</p>")
    result, found, refusal = services.verify_public(data=outside_sign(other, certs.chair))

    assert found is None and result.verdict == Verdict.NOT_VERSION
    assert refusal.startswith("Không phải bản đã khóa")
    event = AuditEvent.objects.get(action="signing.verify_failed")
    assert event.object_type == "signing.upload" and event.actor is None
