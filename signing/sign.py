"""Signing a PDF on the server with pyHanko: PAdES baseline B-B, or B-T with a timestamp server;
always an incremental update, so every earlier signature stays valid.

Keys come from a PKCS#12 file (its passphrase given at signing time, never stored) or from a
PKCS#11 token (an HSM; SoftHSM2 in tests), whose PIN is given at signing time too.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

from .appearance import DrawnStampStyle, Rect
from .certs import CertInfo, describe_der

PASSPHRASE_MAX = 200
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    field_name: str
    page: int
    rect: Rect
    draw: Callable[[dt.datetime], bytes]


class LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's in-memory signer, parsing its private key once. pyHanko re-parses the key (RSA
    consistency checks included, ~55 ms of CPU here) for each raw signature, and a PDF signature
    takes two: one to size the signature container, one real. The size probe needs no real
    signature: an RSA signature is exactly as long as the modulus."""

    _loaded = None

    def _key(self):
        if self._loaded is None:
            from cryptography.hazmat.primitives import serialization

            self._loaded = serialization.load_der_private_key(self.signing_key.dump(), None)
        return self._loaded

    def _rsa_pkcs1(self, digest_algorithm: str) -> bool:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        return mechanism == "rsassa_pkcs1v15" and isinstance(self._key(), RSAPrivateKey)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run and self._rsa_pkcs1(digest_algorithm):
            return bytes(self._key().key_size // 8)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if not self._rsa_pkcs1(digest_algorithm):
            return super().sign_raw(data, digest_algorithm)
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        return self._key().sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def signer_certificate(signer) -> CertInfo:
    return describe_der(signer.signing_cert.dump())


def load_pkcs12(data: bytes, passphrase: str) -> LoadedKeySigner:
    """A signer from PKCS#12 bytes. A wrong passphrase or a broken file: a clear refusal."""
    if len(passphrase) > PASSPHRASE_MAX:
        raise ValidationError(_("Mật khẩu quá dài."))
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode("utf-8") if passphrase else None
        )
    except Exception as exc:  # cryptography raises ValueError; pyHanko wraps some
        raise ValidationError(
            _("Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải PKCS#12.")
        ) from exc
    if loaded is None or loaded.signing_cert is None:
        raise ValidationError(_("Tệp PKCS#12 không chứa chứng thư số và khóa để ký."))
    return LoadedKeySigner(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
        signature_mechanism=loaded.signature_mechanism,
    )


def allowed_pkcs11_modules() -> list[str]:
    return list(getattr(settings, "SIGNING_PKCS11_MODULES", []) or [])


@contextmanager
def open_pkcs11(*, module: str, token: str, key: str, pin: str | None) -> Iterator:
    """A PKCS#11 signer for the key and certificate labelled `key` on the token `token`.
    Only modules the server's administrator listed in SIGNING_PKCS11_MODULES are loaded."""
    from pkcs11 import exceptions as pkcs11_errors
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if module not in allowed_pkcs11_modules():
        raise ValidationError(_("Thư viện PKCS#11 này chưa được người quản trị máy chủ cho phép."))
    if pin is not None and len(pin) > PASSPHRASE_MAX:
        raise ValidationError(_("Mã PIN quá dài."))
    try:
        session = open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=token), user_pin=pin or None
        )
    except (
        pkcs11_errors.PinIncorrect,
        pkcs11_errors.PinInvalid,
        pkcs11_errors.PinLenRange,
    ) as exc:
        raise ValidationError(_("Sai mã PIN của thiết bị ký số.")) from exc
    except pkcs11_errors.PinLocked as exc:
        raise ValidationError(_("Thiết bị ký số đã bị khóa do nhập sai mã PIN nhiều lần.")) from exc
    except Exception as exc:
        raise ValidationError(
            _("Không mở được thiết bị ký số «%(token)s».") % {"token": token}
        ) from exc
    try:
        try:
            # other_certs_to_pull=None: the CA chain kept on the token goes into the signature,
            # so a verifier can build the path to the root.
            signer = PKCS11Signer(session, cert_label=key, key_label=key, other_certs_to_pull=None)
            if pin:
                signer.signing_cert  # noqa: B018 - fetch now, to report a missing label here
        except Exception as exc:
            raise ValidationError(
                _("Không tìm thấy khóa và chứng thư có nhãn «%(key)s» trên thiết bị «%(token)s».")
                % {"key": key, "token": token}
            ) from exc
        yield signer
    finally:
        session.close()


def pkcs11_certificate(*, module: str, token: str, key: str) -> CertInfo:
    """Read the certificate labelled `key` from the token without logging in (certificates are
    public objects; the private key is not visible before the PIN)."""
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    if module not in allowed_pkcs11_modules():
        raise ValidationError(_("Thư viện PKCS#11 này chưa được người quản trị máy chủ cho phép."))
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token))
    except Exception as exc:
        raise ValidationError(
            _("Không mở được thiết bị ký số «%(token)s».") % {"token": token}
        ) from exc
    try:
        found = list(
            session.get_objects(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                    pkcs11.Attribute.LABEL: key,
                }
            )
        )
        if len(found) != 1:
            raise ValidationError(
                _("Không tìm thấy chứng thư có nhãn «%(key)s» trên thiết bị «%(token)s».")
                % {"key": key, "token": token}
            )
        return describe_der(bytes(found[0][pkcs11.Attribute.VALUE]))
    finally:
        session.close()


def check_can_sign(info: CertInfo, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.UTC)
    if now > info.not_after_dt:
        raise ValidationError(
            _("Chứng thư số của «%(cn)s» đã hết hạn từ %(date)s; không thể ký.")
            % {"cn": info.common_name, "date": info.not_after_dt.strftime("%d/%m/%Y")}
        )
    if now < info.not_before_dt:
        raise ValidationError(
            _("Chứng thư số của «%(cn)s» chưa có hiệu lực (từ %(date)s).")
            % {"cn": info.common_name, "date": info.not_before_dt.strftime("%d/%m/%Y")}
        )
    if not info.can_sign:
        raise ValidationError(
            _("Chứng thư số của «%(cn)s» không được phép dùng để ký.") % {"cn": info.common_name}
        )


def field_names(data: bytes) -> set[str]:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        return {name for name, _v, _r in fields.enumerate_sig_fields(reader)}
    except Exception:
        return set()


def unique_field_name(data: bytes, base: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "", slugify(base).replace("-", "_")) or "chu_ky"
    taken = field_names(data)
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def timestamper():
    url = getattr(settings, "SIGNING_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def sign_pdf(
    data: bytes,
    *,
    signer,
    placement: Placement,
    name: str = "",
    location: str = "",
    reason: str = "",
) -> bytes:
    """Add one PAdES signature as an incremental update. B-T when SIGNING_TSA_URL is set."""
    meta = PdfSignatureMetadata(
        field_name=placement.field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=name or None,
        location=location or None,
        reason=reason or None,
    )
    pdf_signer = PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper(),
        stamp_style=DrawnStampStyle(draw=placement.draw),
        new_field_spec=fields.SigFieldSpec(
            placement.field_name, on_page=placement.page, box=placement.rect.pdf
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    try:
        out = pdf_signer.sign_pdf(writer)
    except ValidationError:
        raise
    except Exception as exc:
        if timestamper() is not None and "timestamp" in repr(exc).lower():
            raise ValidationError(
                _("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian; chưa ký.")
            ) from exc
        logger.exception("signing failed")
        raise ValidationError(
            _("Không ký được văn bản (lỗi của thư viện ký số); chưa có gì được lưu.")
        ) from exc
    return out.getvalue()
