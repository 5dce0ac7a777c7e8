"""Verifying a signed PDF against the finalized version it claims to be, with pyHanko.

Pure over bytes: no models. The caller gives the finalized PDF (or a way to find it) and the
trust roots; the result is a `FileResult` of plain values, stored as JSON and shown as is.

Checks, in the order the verdict weighs them:
1. each signature is intact (the signed bytes hash to what was signed) and cryptographically
   valid; a signature timestamp (PAdES B-T), if any, too;
2. the first revision the signatures build on is byte-identical to the finalized PDF
   (same SHA-256), and every later revision only adds signatures or fills form fields
   (pyHanko's difference analysis, revision by revision from the finalized one);
3. the signer's certificate at the signing time (the timestamp's time, else the time the
   signing software wrote): validity period, key usage, trust path to an operator-loaded root,
   and revocation where a CRL or OCSP response is embedded (else "không kiểm tra được").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.ltv import retrieve_adobe_revocation_info
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from .certs import CertInfo, describe_der
from .models import Verdict

logger = logging.getLogger(__name__)

KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)
ACCEPTED_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
FORM_LEVELS = (*ACCEPTED_LEVELS, ModificationLevel.FORM_FILLING)
# What signing may change in the document catalogue: the form, the PAdES extension declaration,
# the PDF version, permissions, the validation data store, the XMP metadata. Never the pages.
CATALOG_SIGNING_KEYS = frozenset(
    {"/AcroForm", "/Extensions", "/Version", "/Perms", "/DSS", "/Metadata"}
)


class NotSignedPdf(ValueError):
    """The bytes are not a PDF with at least one signature."""


@dataclass
class SignatureResult:
    index: int
    field_name: str
    page: int | None
    rect: list[float] | None
    signer: dict  # CertInfo.as_dict()
    signing_time: str  # ISO 8601 or ""
    time_source: str  # "timestamp" | "signer" | ""
    timestamp_trusted: bool
    level: str  # "PAdES B-B" | "PAdES B-T" | "CMS"
    intact: bool
    valid: bool
    trusted: bool
    valid_at_signing: bool
    key_usage_ok: bool
    revocation: str  # "good" | "revoked" | "revoked_later" | "unknown"
    revocation_source: str
    coverage: str
    modification: str
    signed_revision: int
    verdict: str
    trust_problem: str = ""
    revoked_on: str = ""  # ISO 8601: the revocation an embedded CRL/OCSP reports, if any

    @property
    def cert(self) -> CertInfo:
        return CertInfo(**self.signer)

    @property
    def verdict_obj(self) -> Verdict:
        return Verdict(self.verdict)

    @property
    def signing_dt(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.signing_time) if self.signing_time else None


@dataclass
class FileResult:
    sha256: str
    size: int
    revisions: int
    base_sha256: str  # the finalized PDF the file builds on, "" when none matched
    base_ok: bool
    problem: str  # "" | "base_mismatch" | "changed_before_signing" | "changed_after_signing"
    problem_revision: int | None
    verdict: str
    signatures: list[SignatureResult] = field(default_factory=list)

    @property
    def verdict_obj(self) -> Verdict:
        return Verdict(self.verdict)

    @property
    def accepted(self) -> bool:
        return self.verdict_obj.accepted

    @property
    def accepted_count(self) -> int:
        return sum(1 for s in self.signatures if Verdict(s.verdict).accepted)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> FileResult:
        data = dict(data)
        sigs = [SignatureResult(**s) for s in data.pop("signatures", [])]
        return cls(**data, signatures=sigs)


# --- helpers --------------------------------------------------------------------------------


def is_signed_pdf(data: bytes) -> bool:
    """A cheap sniff: a PDF that has a signature dictionary somewhere."""
    return data[:1024].lstrip().startswith(b"%PDF-") and b"/ByteRange" in data


def revision_ends(data: bytes) -> list[int]:
    """Candidate ends of the revisions: after each %%EOF marker and its end-of-line."""
    ends = []
    start = 0
    while True:
        pos = data.find(b"%%EOF", start)
        if pos < 0:
            break
        end = pos + 5
        ends.append(end)
        if data[end : end + 2] == b"\r\n":
            ends.append(end + 2)
        elif data[end : end + 1] in (b"\n", b"\r"):
            ends.append(end + 1)
        start = end
    return ends


def prefix_hashes(data: bytes) -> dict[str, int]:
    """SHA-256 of every prefix of `data` that ends a revision → the prefix length."""
    out = {}
    digest = hashlib.sha256()
    done = 0
    for end in revision_ends(data):
        digest.update(data[done:end])
        done = end
        out[digest.copy().hexdigest()] = end
    return out


def _page_index(reader: PdfFileReader) -> dict:
    pages = {}
    try:
        count = int(reader.root["/Pages"]["/Count"])
        for i in range(count):
            ref, _res = reader.find_page_for_modification(i)
            pages[ref.reference] = i
    except Exception:  # a broken page tree only loses the page numbers
        logger.info("page tree unreadable", exc_info=True)
    return pages


def _widget_position(sig, pages: dict) -> tuple[int | None, list[float] | None]:
    field = sig.sig_field
    widget = field
    if "/Rect" not in field and "/Kids" in field:
        widget = field["/Kids"][0].get_object()
    rect = None
    if "/Rect" in widget:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        rect = [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
        if rect[2] - rect[0] < 1 or rect[3] - rect[1] < 1:
            rect = None  # an invisible signature
    page = None
    try:
        p = widget.raw_get("/P")
        page = pages.get(p.reference)
    except (KeyError, AttributeError):
        pass
    return page, rect


def _embedded_revinfo(reader: PdfFileReader, sigs) -> tuple[list, list, list]:
    crls, ocsps, certs = [], [], []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    if dss is not None:
        certs.extend(dss.load_certs())
        for ref in dss.crls:
            crls.append(asn1_crl.CertificateList.load(ref.get_object().data))
        for ref in dss.ocsps:
            ocsps.append(asn1_ocsp.OCSPResponse.load(ref.get_object().data))
    for sig in sigs:
        try:
            o, c = retrieve_adobe_revocation_info(sig.signer_info)
        except Exception:  # no archival attribute: nothing embedded there
            continue
        ocsps.extend(o)
        crls.extend(c)
    return crls, ocsps, certs


def _revinfo_covers(cert: asn1_x509.Certificate, crls, ocsps) -> str:
    for c in crls:
        if c["tbs_cert_list"]["issuer"] == cert.issuer:
            return "CRL"
    for o in ocsps:
        try:
            responses = o["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
        except (KeyError, TypeError, ValueError):
            continue
        for single in responses:
            if single["cert_id"]["serial_number"].native == cert.serial_number:
                return "OCSP"
    return ""


def _revocation_date(cert: asn1_x509.Certificate, crls, ocsps) -> dt.datetime | None:
    """The earliest revocation of `cert` that an embedded CRL (of its issuer) or OCSP response
    reports, at whatever date; None when none does."""
    dates = []
    for c in crls:
        tbs = c["tbs_cert_list"]
        if tbs["issuer"] != cert.issuer:
            continue
        for entry in tbs["revoked_certificates"] or []:
            if entry["user_certificate"].native == cert.serial_number:
                dates.append(entry["revocation_date"].native)
    for o in ocsps:
        try:
            responses = o["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
        except (KeyError, TypeError, ValueError):
            continue
        for single in responses:
            status = single["cert_status"]
            if (
                single["cert_id"]["serial_number"].native == cert.serial_number
                and status.name == "revoked"
            ):
                dates.append(status.chosen["revocation_time"].native)
    return min(dates) if dates else None


def _claimed_time(sig) -> tuple[dt.datetime | None, str]:
    tst = sig.attached_timestamp_data
    if tst is not None:
        try:
            return tst["encap_content_info"]["content"].parsed["gen_time"].native, "timestamp"
        except (KeyError, ValueError):
            pass
    reported = sig.self_reported_timestamp
    if reported is not None:
        return reported, "signer"
    return None, ""


def _coverage_name(coverage) -> str:
    return getattr(coverage, "name", str(coverage or "")).lower()


# --- the check ------------------------------------------------------------------------------


def _check_signature(
    sig, index: int, *, roots, crls, ocsps, certs, pages, now: dt.datetime
) -> SignatureResult:
    moment, time_source = _claimed_time(sig)
    moment = moment or now
    vc_kwargs = dict(
        trust_roots=roots,
        other_certs=certs,
        crls=crls,
        ocsps=ocsps,
        allow_fetching=False,
        moment=moment,
        best_signature_time=moment,
        # Validation data is usually gathered after the signature (a DSS added by the signing
        # tool, or later): a CRL/OCSP response issued after the signing time still says whether
        # the certificate had been revoked by then (a revocation dated later does not count).
        # Without this, pyHanko drops it as "too recent" and the chain looks untrusted.
        retroactive_revinfo=True,
    )
    status = validate_pdf_signature(
        sig,
        signer_validation_context=ValidationContext(revocation_mode="soft-fail", **vc_kwargs),
        diff_policy=DEFAULT_DIFF_POLICY,
        key_usage_settings=KEY_USAGE,
    )
    cert = sig.signer_cert
    info = describe_der(cert.dump())
    valid_at_signing = info.valid_at(moment)
    key_usage_ok = info.can_sign

    revocation, revocation_source = "unknown", ""
    if status.revoked:
        revocation = "revoked"
    else:
        source = _revinfo_covers(cert, crls, ocsps)
        if source and status.trusted:
            strict = validate_pdf_signature(
                sig,
                signer_validation_context=ValidationContext(
                    revocation_mode="hard-fail", **vc_kwargs
                ),
                key_usage_settings=KEY_USAGE,
                skip_diff=True,
            )
            if strict.revoked:
                revocation = "revoked"
            elif strict.trusted:
                revocation, revocation_source = "good", source

    ts = status.timestamp_validity
    timestamp_ok = ts is not None and ts.intact and ts.valid
    if time_source == "timestamp" and not timestamp_ok:
        time_source = "signer"
        moment = sig.self_reported_timestamp or moment

    # Revoked after the signing time. pyHanko leaves such a certificate indeterminate (not
    # revoked at that time, not good either: the chain then looks untrusted). A trusted
    # timestamp earlier than the revocation proves the signature came first: the chain is
    # judged without the revocation data, and the revocation shown. Without one, the time is
    # only what the signer's software wrote, which a holder of a revoked key can set: revoked.
    trusted = bool(status.trusted)
    revoked_on = _revocation_date(cert, crls, ocsps)
    if revocation != "revoked":
        if revoked_on is not None:
            if time_source == "timestamp" and ts.trusted and moment < revoked_on:
                revocation = "revoked_later"
                without = validate_pdf_signature(
                    sig,
                    signer_validation_context=ValidationContext(
                        revocation_mode="soft-fail", **dict(vc_kwargs, crls=[], ocsps=[])
                    ),
                    key_usage_settings=KEY_USAGE,
                    skip_diff=True,
                )
                trusted = bool(without.trusted)
            else:
                revocation = "revoked"
    level = "PAdES B-T" if timestamp_ok else "PAdES B-B"
    if "/SubFilter" in sig.sig_object and sig.sig_object["/SubFilter"] != "/ETSI.CAdES.detached":
        level = "CMS (adbe.pkcs7.detached)" + (" + dấu thời gian" if timestamp_ok else "")
    modification = status.modification_level
    coverage = _coverage_name(status.coverage)

    if (
        not status.intact
        or (modification is not None and modification not in FORM_LEVELS)
        or not status.docmdp_ok
        or coverage not in ("entire_file", "entire_revision")
    ):
        verdict = Verdict.MODIFIED
    elif not status.valid or (ts is not None and not timestamp_ok):
        verdict = Verdict.BROKEN
    elif revocation == "revoked":
        verdict = Verdict.REVOKED
    elif not valid_at_signing:
        verdict = Verdict.EXPIRED
    elif not key_usage_ok:
        verdict = Verdict.KEY_USAGE
    elif not trusted:
        verdict = Verdict.UNTRUSTED
    else:
        verdict = Verdict.VALID
    page, rect = _widget_position(sig, pages)
    return SignatureResult(
        index=index,
        field_name=str(sig.field_name or ""),
        page=page,
        rect=rect,
        signer=info.as_dict(),
        signing_time=moment.isoformat() if moment else "",
        time_source=time_source,
        timestamp_trusted=bool(timestamp_ok and ts.trusted),
        level=level,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=trusted,
        valid_at_signing=valid_at_signing,
        key_usage_ok=key_usage_ok,
        revocation=revocation,
        revocation_source=revocation_source,
        coverage=coverage,
        modification=getattr(modification, "name", "").lower(),
        signed_revision=sig.signed_revision,
        verdict=verdict.value,
        trust_problem=getattr(status.trust_problem_indic, "name", "") or "",
        revoked_on=revoked_on.isoformat() if revoked_on else "",
    )


def _same(a, b) -> bool:
    """Structural equality of two PDF objects read from different revisions (references by
    object number, streams by their encoded bytes)."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and (a.idnum, a.generation) == (b.idnum, b.generation)
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return (
            isinstance(a, generic.StreamObject)
            and isinstance(b, generic.StreamObject)
            and a.encoded_data == b.encoded_data
            and _same_dict(a, b, frozenset())
        )
    if isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject):
        return _same_dict(a, b, frozenset())
    if isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _same_dict(a, b, ignored: frozenset) -> bool:
    keys = (set(a.keys()) | set(b.keys())) - ignored
    return all(k in a and k in b and _same(a.raw_get(k), b.raw_get(k)) for k in keys)


def _key(ref) -> tuple[int, int]:
    return (ref.idnum, ref.generation)


def _page_tree(resolver) -> tuple[set, set]:
    """(page refs, refs of indirect /Annots arrays) of a revision's page tree."""
    pages, annots = set(), set()
    root = resolver.get_object(resolver.root_ref)
    stack = [root.raw_get("/Pages")]
    seen = set()
    while stack:
        node_ref = stack.pop()
        if not isinstance(node_ref, generic.IndirectObject) or _key(node_ref) in seen:
            continue
        seen.add(_key(node_ref))
        node = node_ref.get_object()
        if node.get("/Type") == "/Page":
            pages.add(_key(node_ref))
            raw = node.raw_get("/Annots") if "/Annots" in node else None
            if isinstance(raw, generic.IndirectObject):
                annots.add(_key(raw))
        else:
            kids = node.get("/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend(list(kids))  # the raw entries: indirect references
    return pages, annots


def only_signature_added(reader: PdfFileReader, base_revision: int, upto: int) -> bool:
    """Whether revisions base+1 … upto changed nothing of the finalized document but what
    adding a signature field needs: the catalogue's /AcroForm, the pages' /Annots (appended),
    the document information; every other object they write is new. pyHanko's difference
    analysis starts at a signed revision, so this covers the gap from the finalized PDF (which
    has no form yet) to the first signature."""
    base = reader.get_historical_resolver(base_revision)
    new = reader.get_historical_resolver(upto)
    if _key(new.root_ref) != _key(base.root_ref):
        return False
    changed = set()
    for revision in range(base_revision + 1, upto + 1):
        if reader.xrefs.refs_freed_in_revision(revision):
            return False
        changed |= {_key(r) for r in reader.xrefs.explicit_refs_in_revision(revision)}
    root = _key(base.root_ref)
    pages, annots = _page_tree(base)
    info = base.trailer_view.raw_get("/Info") if "/Info" in base.trailer_view else None
    info = _key(info) if isinstance(info, generic.IndirectObject) else None
    catalog = base.get_object(base.root_ref)
    acroform = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
    acroform = _key(acroform) if isinstance(acroform, generic.IndirectObject) else None
    size = reader.xrefs.get_xref_container_info(base_revision).size
    for ref in changed:
        if ref[0] >= size or ref in (info, acroform):
            continue  # a new object; the document information; the form dictionary
        ref_obj = generic.Reference(*ref)
        old, cur = base.get_object(ref_obj), new.get_object(ref_obj)
        if ref == root:
            ok = _same_dict(old, cur, CATALOG_SIGNING_KEYS)
        elif ref in pages:
            ok = _same_dict(old, cur, frozenset({"/Annots"}))
            if ok and "/Annots" in old:
                ok = _appended(
                    old.raw_get("/Annots"), cur.raw_get("/Annots") if "/Annots" in cur else None
                )
        elif ref in annots:
            ok = _appended(old, cur)
        else:
            ok = False
        if not ok:
            return False
    return True


def _appended(old, cur) -> bool:
    """An annotations array that kept every old entry, in order, and only added after them."""
    if isinstance(old, generic.IndirectObject) or isinstance(cur, generic.IndirectObject):
        if isinstance(old, generic.IndirectObject) and isinstance(cur, generic.IndirectObject):
            if _key(old) == _key(cur):
                return True  # the array object itself is checked on its own
        old = old.get_object() if isinstance(old, generic.IndirectObject) else old
        cur = cur.get_object() if isinstance(cur, generic.IndirectObject) else cur
    if not isinstance(old, generic.ArrayObject) or not isinstance(cur, generic.ArrayObject):
        return False
    return len(cur) >= len(old) and all(
        _same(old.raw_get(i), cur.raw_get(i)) for i in range(len(old))
    )


def open_signed(data: bytes) -> tuple[PdfFileReader, list]:
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise NotSignedPdf("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_regular_signatures)
    except Exception as exc:  # pyHanko raises several kinds on garbage
        raise NotSignedPdf(str(exc)) from exc
    if not sigs:
        raise NotSignedPdf("no signature")
    return reader, sigs


def verify_pdf(
    data: bytes,
    *,
    original: bytes | None,
    trust_roots: list[bytes],
    now: dt.datetime | None = None,
) -> FileResult:
    """Verify `data` against the finalized PDF `original` (None: none was found)."""
    now = now or dt.datetime.now(dt.UTC)
    reader, sigs = open_signed(data)
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    crls, ocsps, certs = _embedded_revinfo(reader, sigs)
    pages = _page_index(reader)
    results = []
    for index, sig in enumerate(sigs, 1):
        try:
            results.append(
                _check_signature(
                    sig,
                    index,
                    roots=roots,
                    crls=crls,
                    ocsps=ocsps,
                    certs=certs,
                    pages=pages,
                    now=now,
                )
            )
        except Exception:
            logger.info("signature %s unreadable", index, exc_info=True)
            results.append(_unreadable(sig, index))

    base_ok = False
    problem, problem_revision = "base_mismatch", None
    base_sha = ""
    if original is not None and data[: len(original)] == original and len(data) > len(original):
        base_sha = hashlib.sha256(original).hexdigest()
        base_revisions = PdfFileReader(io.BytesIO(original), strict=False).xrefs.total_revisions
        base_revision = base_revisions - 1
        first_signed = min(s.signed_revision for s in sigs)
        if first_signed <= base_revision:
            problem = "base_mismatch"  # a signature inside the finalized part: not ours
        else:
            base_ok = True
            if not only_signature_added(reader, base_revision, first_signed):
                problem, problem_revision = "changed_before_signing", first_signed
            else:
                problem = ""

    verdicts = [Verdict(r.verdict) for r in results]
    if Verdict.MODIFIED in verdicts:
        problem = problem or "changed_after_signing"
        problem_revision = problem_revision or next(
            (r.signed_revision for r in results if r.verdict == Verdict.MODIFIED), None
        )
        verdict = Verdict.MODIFIED
    elif problem in ("base_mismatch", "changed_before_signing"):
        verdict = Verdict.NOT_VERSION
    else:
        verdict = max(verdicts, key=lambda v: v.rank)
    return FileResult(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        revisions=reader.xrefs.total_revisions,
        base_sha256=base_sha,
        base_ok=base_ok,
        problem=problem,
        problem_revision=problem_revision,
        verdict=verdict.value,
        signatures=results,
    )


def _unreadable(sig, index: int) -> SignatureResult:
    try:
        info = describe_der(sig.signer_cert.dump()).as_dict()
    except Exception:
        info = CertInfo("", "", "", "", "", "", "", "", "", "", [], False, False, "").as_dict()
    return SignatureResult(
        index=index,
        field_name=str(getattr(sig, "field_name", "") or ""),
        page=None,
        rect=None,
        signer=info,
        signing_time="",
        time_source="",
        timestamp_trusted=False,
        level="",
        intact=False,
        valid=False,
        trusted=False,
        valid_at_signing=False,
        key_usage_ok=False,
        revocation="unknown",
        revocation_source="",
        coverage="",
        modification="",
        signed_revision=getattr(sig, "signed_revision", 0),
        verdict=Verdict.BROKEN.value,
    )
