"""A throw-away PKI for tests, the benchmark and a demo: a root CA, an intermediate CA and
signer certificates made with `cryptography`, shaped like Vietnamese signing certificates
(CN, O, and the national ID or tax code in the UID attribute as "CCCD:…" / "MST:…").

Never used by the app at run time: the operator loads the real national roots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

UTC = dt.UTC


def _key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(cn: str, o: str = "", uid: str = "", country: str = "VN") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    chain: list[x509.Certificate] = field(default_factory=list)  # issuer first, root last

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def pkcs12(self, passphrase: bytes, name: str = "signer") -> bytes:
        return pkcs12.serialize_key_and_certificates(
            name.encode(),
            self.key,
            self.cert,
            self.chain or None,
            serialization.BestAvailableEncryption(passphrase),
        )


def _build(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Issued | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    ca: bool,
    path_length: int | None = None,
    key_usage: dict | None = None,
    eku: list | None = None,
    crl_url: str = "",
    ocsp_url: str = "",
    serial: int | None = None,
) -> x509.Certificate:
    issuer_name = issuer.cert.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    usage = dict(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    if not ca:
        usage.update(digital_signature=True, content_commitment=True)
    usage.update(key_usage or {})
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


@dataclass
class DevPKI:
    """root → intermediate → signers. `now` anchors every validity period."""

    name: str = "Test"
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(UTC))
    root: Issued = field(init=False)
    intermediate: Issued = field(init=False)

    def __post_init__(self):
        start = self.now - dt.timedelta(days=3650)
        end = self.now + dt.timedelta(days=3650)
        root_key = _key()
        root_cert = _build(
            subject=_name(f"{self.name} Root CA", o=f"{self.name} PKI"),
            key=root_key,
            issuer=None,
            not_before=start,
            not_after=end,
            ca=True,
        )
        self.root = Issued(root_cert, root_key)
        int_key = _key()
        int_cert = _build(
            subject=_name(f"{self.name} Signing CA", o=f"{self.name} PKI"),
            key=int_key,
            issuer=self.root,
            not_before=start,
            not_after=end,
            ca=True,
            path_length=0,
        )
        self.intermediate = Issued(int_cert, int_key, [root_cert])

    @property
    def crl_url(self) -> str:
        return f"http://crl.{self.name.lower()}.invalid/signing-ca.crl"

    @property
    def ocsp_url(self) -> str:
        return f"http://ocsp.{self.name.lower()}.invalid/"

    def issue(
        self,
        cn: str,
        *,
        o: str = "",
        uid: str = "",
        days_valid: tuple[int, int] = (-365, 730),
        key_usage: dict | None = None,
        eku: list | None = None,
        with_crl_url: bool = True,
        with_ocsp_url: bool = False,
    ) -> Issued:
        key = _key()
        cert = _build(
            subject=_name(cn, o=o, uid=uid),
            key=key,
            issuer=self.intermediate,
            not_before=self.now + dt.timedelta(days=days_valid[0]),
            not_after=self.now + dt.timedelta(days=days_valid[1]),
            ca=False,
            key_usage=key_usage,
            eku=eku,
            crl_url=self.crl_url if with_crl_url else "",
            ocsp_url=self.ocsp_url if with_ocsp_url else "",
        )
        return Issued(cert, key, [self.intermediate.cert, self.root.cert])

    def issue_tsa(self, cn: str = "Test TSA") -> Issued:
        return self.issue(
            cn,
            o=f"{self.name} PKI",
            key_usage={"content_commitment": False},
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            with_crl_url=False,
        )

    def crl(self, revoked: list[x509.Certificate] = (), *, days_ago: int = 1) -> bytes:
        """A CRL of the intermediate CA (DER), listing `revoked` as revoked `days_ago` days ago."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.cert.subject)
            .last_update(self.now - dt.timedelta(days=days_ago + 1))
            .next_update(self.now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate.key.public_key()
                ),
                critical=False,
            )
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(self.now - dt.timedelta(days=days_ago))
                .build()
            )
        return builder.sign(self.intermediate.key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER
        )

    def ocsp(
        self, cert: x509.Certificate, *, revoked: bool = False, at: dt.datetime | None = None
    ) -> bytes:
        """An OCSP response (DER) of the intermediate CA, signed by the CA itself, about `cert`:
        good, or revoked a day ago. Issued an hour before `at` (default: now), valid a week."""
        now = at or dt.datetime.now(UTC)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=cert,
                issuer=self.intermediate.cert,
                algorithm=hashes.SHA1(),
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(hours=1),
                next_update=now + dt.timedelta(days=7),
                revocation_time=now - dt.timedelta(days=1) if revoked else None,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.intermediate.cert)
            .certificates([self.intermediate.cert])
        )
        return builder.sign(self.intermediate.key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER
        )
