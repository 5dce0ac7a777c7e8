"""Reading X.509 certificates for people: subject (CN, O, national ID or tax code), issuer,
serial, validity and key usage. Vietnamese CAs put the ID in the UID attribute ("CCCD:…",
"CMND:…", "MST:…") or in serialNumber."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

ID_PATTERN = re.compile(r"^\s*(CCCD|CMND|MST|HC|MNS|CMT|DDCN)\s*[:\-]?\s*([0-9A-Za-z\-]+)\s*$")
ID_LABELS = {
    "CCCD": "Số căn cước công dân",
    "DDCN": "Số định danh cá nhân",
    "CMND": "Số chứng minh nhân dân",
    "CMT": "Số chứng minh nhân dân",
    "MST": "Mã số thuế",
    "HC": "Số hộ chiếu",
    "MNS": "Mã quan hệ ngân sách",
}
KEY_USAGE_NAMES = {
    "digital_signature": "ký số (digitalSignature)",
    "content_commitment": "chống chối bỏ (nonRepudiation)",
    "key_encipherment": "mã hóa khóa",
    "data_encipherment": "mã hóa dữ liệu",
    "key_agreement": "thỏa thuận khóa",
    "key_cert_sign": "ký chứng thư",
    "crl_sign": "ký CRL",
}


@dataclass
class CertInfo:
    common_name: str
    organization: str
    id_label: str  # "Mã số thuế", "Số căn cước công dân", … or ""
    id_value: str
    subject: str
    issuer: str
    issuer_common_name: str
    serial: str  # upper-case hex
    not_before: str  # ISO 8601, UTC
    not_after: str
    key_usage: list[str]
    can_sign: bool  # digitalSignature or nonRepudiation, or no KeyUsage extension at all
    is_ca: bool
    sha256: str

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def not_before_dt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.not_before)

    @property
    def not_after_dt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.not_after)

    def valid_at(self, moment: dt.datetime) -> bool:
        return self.not_before_dt <= moment <= self.not_after_dt

    @property
    def key_usage_label(self) -> str:
        return ", ".join(KEY_USAGE_NAMES.get(k, k) for k in self.key_usage) or _("không giới hạn")


def _attr(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else ""


def _national_id(name: x509.Name) -> tuple[str, str]:
    for oid in (NameOID.USER_ID, NameOID.SERIAL_NUMBER):
        for attribute in name.get_attributes_for_oid(oid):
            match = ID_PATTERN.match(str(attribute.value))
            if match:
                prefix, value = match.group(1).upper(), match.group(2)
                return _(ID_LABELS[prefix]), value
    return "", ""


def _readable(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:  # pragma: no cover - exotic attribute types
        return str(name)


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from DER or PEM bytes (ValueError if it is neither)."""
    if b"-----BEGIN" in data[:100]:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, or the one DER certificate."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def describe(cert: x509.Certificate) -> CertInfo:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usages = [k for k in KEY_USAGE_NAMES if getattr(ku, k)]
        can_sign = ku.digital_signature or ku.content_commitment
    except x509.ExtensionNotFound:
        usages, can_sign = [], True
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    id_label, id_value = _national_id(cert.subject)
    return CertInfo(
        common_name=_attr(cert.subject, NameOID.COMMON_NAME),
        organization=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
        id_label=id_label,
        id_value=id_value,
        subject=_readable(cert.subject),
        issuer=_readable(cert.issuer),
        issuer_common_name=_attr(cert.issuer, NameOID.COMMON_NAME)
        or _attr(cert.issuer, NameOID.ORGANIZATION_NAME),
        serial=f"{cert.serial_number:X}",
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        key_usage=usages,
        can_sign=can_sign,
        is_ca=is_ca,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def describe_der(der: bytes) -> CertInfo:
    return describe(x509.load_der_x509_certificate(der))


def to_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)
