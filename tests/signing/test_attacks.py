"""Attacks on the verification, made as an outsider would make them: a later annotation painted
over the text, a page slipped in with the signature, a forged root, hostile names, two clerks
racing."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

from signing import services
from signing.devpki import DevPKI
from signing.models import SignedFile, Verdict

from .conftest import PASSPHRASE, outside_sign

pytestmark = pytest.mark.django_db


def _annotate(data: bytes) -> bytes:
    """A later revision that paints a white box with "ĐÃ HỦY" over page 1 as an annotation
    (no change to the page's content stream: only what a PDF viewer shows)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _res = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/FreeText"),
            pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, (80, 600, 500, 700))),
            pdf_name("/Contents"): generic.TextStringObject("ĐÃ HỦY"),
            pdf_name("/DA"): generic.TextStringObject("/Helv 24 Tf 0 g"),
        }
    )
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(writer.add_object(annot))
    page["/Annots"] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_annotation_added_after_signing_is_a_modification(version, certs, trusted, world):
    forged = _annotate(outside_sign(version.pdf_bytes, certs.chair))

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=forged, actor=world.office)

    assert refused.value.result.verdict == Verdict.MODIFIED
    assert not SignedFile.objects.exists()


def test_a_page_slipped_in_with_the_signature_is_not_the_finalized_version(
    version, certs, trusted, world
):
    writer = IncrementalPdfFileWriter(io.BytesIO(version.pdf_bytes))
    writer.insert_page(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject(
                    map(generic.NumberObject, (0, 0, 595, 842))
                ),
                pdf_name("/Contents"): writer.add_object(
                    generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (PHU LUC) Tj ET")
                ),
            }
        )
    )
    signer = signers.SimpleSigner.load_pkcs12_data(
        certs.chair.pkcs12(PASSPHRASE.encode()), other_certs=[], passphrase=PASSPHRASE.encode()
    )
    meta = PdfSignatureMetadata(field_name="ChuKy", subfilter=fields.SigSeedSubFilter.PADES)
    forged = PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()
    assert forged.startswith(version.pdf_bytes)

    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_upload(version=version, data=forged, actor=world.office)

    assert refused.value.result.problem == "changed_before_signing"
    assert refused.value.result.signatures[0].intact  # the signature itself is perfect


def test_a_look_alike_ca_with_the_same_names_is_not_trusted(version, certs, trusted, world):
    """A forger makes a CA with exactly the names of the trusted one: names are not trust."""
    twin = DevPKI("KTD Test")  # same subject names as the trusted PKI, other keys
    fake = twin.issue("Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh", uid="CCCD:027075004321")

    stored = services.signed_upload(
        version=version, data=outside_sign(version.pdf_bytes, fake), actor=world.office
    )

    assert stored.verdict == Verdict.UNTRUSTED
    assert stored.report["signatures"][0]["trusted"] is False


def test_a_hostile_signer_name_is_shown_as_text(client, version, pki, trusted):
    hostile = pki.issue('<script>alert("x")</script>', o="<b>Cơ quan</b>")
    response = client.post(
        reverse("documents:verify"),
        {
            "file": SimpleUploadedFile(
                "x.pdf", outside_sign(version.pdf_bytes, hostile), content_type="application/pdf"
            )
        },
    )
    html = response.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.postgres
def test_two_clerks_uploading_at_once_store_one_file_and_refuse_the_other(
    version, certs, trusted, world, transactional_db
):
    files = [
        outside_sign(version.pdf_bytes, certs.secretary, field="ThuKy"),
        outside_sign(version.pdf_bytes, certs.chair, field="ChuTri"),
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def upload(data):
        barrier.wait()
        try:
            services.signed_upload(version=version, data=data, actor=world.office)
            outcomes.append("ok")
        except services.SignatureRefused as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 1
    refusal = next(o for o in outcomes if o != "ok")
    assert "không chứa các chữ ký đã lưu" in refusal
    assert list(SignedFile.objects.values_list("seq", flat=True)) == [1]
