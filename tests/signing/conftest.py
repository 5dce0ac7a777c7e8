"""Ký số fixtures: a test PKI made with `cryptography` (root → intermediate → signers, and an
unrelated "rogue" CA nobody trusts), a finalized biên bản (real finalize: WeasyPrint, SHA-256),
and helpers that sign it the way an outside signing tool does (pyHanko, incremental update)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image, ImageDraw
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

from documents import services as doc_services
from meetings.models import Meeting
from signing import services
from signing.devpki import DevPKI, Issued
from signing.devtsa import TimestampServer
from signing.models import SigningProfile, TrustRoot

PASSPHRASE = "mật-khẩu-thử"


@dataclass
class Certs:
    secretary: Issued
    chair: Issued
    org: Issued
    expired: Issued
    encipher_only: Issued
    rogue: Issued
    tsa: Issued


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded and signed files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def pki() -> DevPKI:
    return DevPKI("KTD Test")


@pytest.fixture(scope="session")
def rogue_pki() -> DevPKI:
    return DevPKI("Rogue")


@pytest.fixture(scope="session")
def certs(pki, rogue_pki) -> Certs:
    return Certs(
        secretary=pki.issue(
            "Lê Minh Đức", o="Tòa án nhân dân tỉnh Bắc Ninh", uid="CCCD:027085001234"
        ),
        chair=pki.issue(
            "Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh", uid="CCCD:027075004321"
        ),
        org=pki.issue(
            "Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh",
            o="UBND tỉnh Bắc Ninh",
            uid="MST:2300123456",
        ),
        expired=pki.issue("Trần Văn Cũ", o="Sở Tư pháp", days_valid=(-800, -30)),
        encipher_only=pki.issue(
            "Phạm Mã Hóa",
            o="Sở Tư pháp",
            key_usage={
                "digital_signature": False,
                "content_commitment": False,
                "key_encipherment": True,
            },
        ),
        rogue=rogue_pki.issue("Nguyễn Văn Hùng", o="Tòa án nhân dân tỉnh Bắc Ninh"),
        tsa=pki.issue_tsa("KTD Test TSA"),
    )


@pytest.fixture
def trusted(world, pki):
    """The operator loaded the test root into the global trust list."""
    return services.trust_root_add(organizer=None, data=pki.root.pem, actor=world.superuser)


@pytest.fixture
def meeting(world):
    return make_meeting(world)


def make_meeting(world) -> Meeting:
    units = world.units
    return Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024",
        starts_at=dt.datetime(2024, 12, 5, 8, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2024, 12, 5, 11, 0, tzinfo=dt.UTC),
        place="Hội trường Tòa án nhân dân tỉnh",
        host_unit=units[0],
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Minh Đức, Chánh Văn phòng",
    )


@pytest.fixture
def version(meeting, world):
    """The finalized biên bản (document_finalize as in production: WeasyPrint, SHA-256, and
    the signature boxes of its layout)."""
    return finalize_minutes(meeting, world)


def finalize_minutes(meeting, world):
    return doc_services.document_finalize(kind="minutes", subject=meeting, actor=world.office)


@pytest.fixture
def version2(version, meeting, world):
    """Version 2 of the same biên bản (the secretary's name corrected)."""
    meeting.secretary_name = "Lê Minh Đức, Chánh Văn phòng Tòa án nhân dân tỉnh"
    meeting.save()
    return doc_services.document_finalize(
        kind="minutes", subject=meeting, actor=world.office, reason="Sửa chức vụ thư ký"
    )


@pytest.fixture(scope="session")
def tsa_server(certs):
    with TimestampServer(certs.tsa) as server:
        yield server


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory, certs):
    """A SoftHSM2 token holding the organisation's key and certificate (label "org"), as an HSM
    would. The PIN is 123456."""
    module = "/usr/lib/softhsm/libsofthsm2.so"
    if not shutil.which("softhsm2-util") or not Path(module).exists():
        pytest.skip("SoftHSM2 không có trên máy (apt-get install softhsm2)")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True)
    run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "ktd-org",
            "--pin",
            "123456",
            "--so-pin",
            "12345678",
        ]
    )
    key_file = root / "org-key.pem"
    key_file.write_bytes(certs.org.key_pem())
    run(
        [
            "softhsm2-util",
            "--import",
            str(key_file),
            "--token",
            "ktd-org",
            "--label",
            "org",
            "--id",
            "01",
            "--pin",
            "123456",
        ]
    )
    key_file.unlink()
    import pkcs11

    lib = pkcs11.lib(module)
    token = lib.get_token(token_label="ktd-org")
    chain = [("org", b"\x01", certs.org.cert), ("signing-ca", b"\x02", certs.org.chain[0])]
    with token.open(rw=True, user_pin="123456") as session:
        for label, key_id, cert in chain:  # the certificate and its CA, as an HSM holds them
            session.create_object(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                    pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                    pkcs11.Attribute.TOKEN: True,
                    pkcs11.Attribute.LABEL: label,
                    pkcs11.Attribute.ID: key_id,
                    pkcs11.Attribute.VALUE: cert.public_bytes(Encoding.DER),
                    pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                }
            )
    return {"module": module, "token": "ktd-org", "key": "org", "pin": "123456"}


def outside_sign(
    data: bytes,
    issued: Issued,
    *,
    field: str = "ChuKy",
    box=None,
    page: int = 0,
    timestamper=None,
) -> bytes:
    """Sign as an outside tool would: PAdES, incremental update, the chain embedded."""
    signer = signers.SimpleSigner.load_pkcs12_data(
        issued.pkcs12(PASSPHRASE.encode()), other_certs=[], passphrase=PASSPHRASE.encode()
    )
    meta = PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    pdf_signer = PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        new_field_spec=fields.SigFieldSpec(field, on_page=page, box=box) if box else None,
    )
    return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data))).getvalue()


def png(color=(20, 40, 160, 255), size=(600, 240), *, seal=False) -> bytes:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if seal:
        w, h = size
        draw.ellipse([0, 0, w - 1, h - 1], outline=color, width=max(w // 30, 4))
        draw.ellipse([w // 6, h // 6, w - w // 6, h - h // 6], outline=color, width=max(w // 60, 2))
        draw.regular_polygon((w // 2, h // 2, w // 7), 5, fill=color)
    else:
        draw.line(
            [(30, 190), (120, 60), (210, 200), (320, 50), (430, 190), (570, 90)],
            fill=color,
            width=12,
        )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def settings_pkcs11(settings, softhsm):
    settings.SIGNING_PKCS11_MODULES = [softhsm["module"]]
    return softhsm


@pytest.fixture
def org_profile(world, settings_pkcs11):
    return services.signing_profile_save(
        organizer=world.organizer,
        enabled=True,
        display_name="Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh",
        backend=SigningProfile.Backend.PKCS11,
        actor=world.office,
        pkcs11_module=settings_pkcs11["module"],
        pkcs11_token=settings_pkcs11["token"],
        pkcs11_key=settings_pkcs11["key"],
    )


def roots_of(*pkis) -> list[bytes]:
    return [p.root.der for p in pkis]


__all__ = ["TrustRoot", "outside_sign", "png", "roots_of", "PASSPHRASE"]
