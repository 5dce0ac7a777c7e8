"""Signing operations: verify an uploaded signed file, sign on the server, the trust list,
signature and seal images, an organizer's signing profile. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import AuditEvent, Organizer
from blocs.services import audit
from documents.models import DocumentVersion

from . import appearance, certs, sign
from .layout import SignBox, render_boxes
from .models import (
    SignatureImage,
    SignedFile,
    SigningProfile,
    TrustRoot,
    Verdict,
    VersionLayout,
)
from .verify import FileResult, NotSignedPdf, SignatureResult, prefix_hashes, verify_pdf

MAX_SIGNED_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000
MAX_CERT_BYTES = 256 * 1024
ORG_TARGET = "org"


class SignatureRefused(ValidationError):
    """A signed file that is not accepted; `result` says why (None: not a signed PDF)."""

    def __init__(self, message: str, result: FileResult | None = None):
        super().__init__(message)
        self.result = result


# --- trust list -----------------------------------------------------------------------------


def trust_roots_for(organizer_id: int | None) -> list[bytes]:
    q = Q(organizer__isnull=True)
    if organizer_id is not None:
        q |= Q(organizer_id=organizer_id)
    return [
        bytes(der) for der in TrustRoot.objects.filter(q, active=True).values_list("der", flat=True)
    ]


@transaction.atomic
def trust_root_add(
    *, organizer: Organizer | None, data: bytes, label: str = "", actor=None
) -> list[TrustRoot]:
    """Add the CA certificate(s) of a PEM bundle or a DER file. Only CA certificates; a
    certificate already in the list is refused."""
    if not data:
        raise ValidationError({"certificate": _("Tệp rỗng.")})
    if len(data) > MAX_CERT_BYTES:
        raise ValidationError({"certificate": _("Tệp quá lớn: tối đa 256 KB.")})
    try:
        loaded = certs.load_certificates(data)
    except ValueError:
        loaded = []
    if not loaded:
        raise ValidationError(
            {
                "certificate": _(
                    "Không đọc được chứng thư số: hãy chọn tệp .cer, .crt, .der hoặc .pem."
                )
            }
        )
    added = []
    for cert in loaded:
        info = certs.describe(cert)
        if not info.is_ca:
            raise ValidationError(
                {
                    "certificate": _(
                        "«%(subject)s» không phải chứng thư của tổ chức cấp chứng thư (CA); "
                        "danh sách tin cậy chỉ nhận chứng thư gốc hoặc trung gian."
                    )
                    % {"subject": info.subject}
                }
            )
        exists = TrustRoot.objects.filter(sha256=info.sha256, active=True).filter(
            Q(organizer=organizer) if organizer else Q(organizer__isnull=True)
        )
        if exists.exists():
            raise ValidationError(
                {
                    "certificate": _("«%(subject)s» đã có trong danh sách tin cậy.")
                    % {"subject": info.subject}
                }
            )
        root = TrustRoot(
            organizer=organizer,
            der=certs.to_der(cert),
            sha256=info.sha256,
            subject=info.subject[:500],
            issuer=info.issuer[:500],
            serial=info.serial[:80],
            not_before=info.not_before_dt,
            not_after=info.not_after_dt,
            label=label.strip()[:200],
            added_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                root.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"certificate": _("Chứng thư này vừa được người khác thêm.")}
            ) from exc
        audit(
            actor=actor,
            action="signing.trust_root_add",
            obj=root,
            summary=_("Thêm chứng thư gốc tin cậy %(subject)s") % {"subject": info.subject},
            data={"sha256": info.sha256, "organizer": organizer.pk if organizer else None},
        )
        added.append(root)
    return added


@transaction.atomic
def trust_root_deactivate(*, root: TrustRoot, actor=None) -> TrustRoot:
    root = TrustRoot.objects.select_for_update().get(pk=root.pk)
    if not root.active:
        raise ValidationError(_("Chứng thư này đã được gỡ khỏi danh sách."))
    root.active = False
    root.save(update_fields=["active"])
    audit(
        actor=actor,
        action="signing.trust_root_remove",
        obj=root,
        summary=_("Gỡ chứng thư gốc tin cậy %(subject)s") % {"subject": root.subject},
        data={"sha256": root.sha256},
    )
    return root


# --- images ---------------------------------------------------------------------------------


def _check_png(data: bytes, kind: str) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationError({"image": _("Tệp rỗng.")})
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError({"image": _("Tệp quá lớn: tối đa 2 MB.")})
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError({"image": _("Chỉ nhận tệp PNG nền trong suốt.")})
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width > MAX_IMAGE_PIXELS or height > MAX_IMAGE_PIXELS:
                raise ValidationError({"image": _("Ảnh quá lớn: tối đa 4000 × 4000 điểm ảnh.")})
            img.load()
            rgba = img.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"image": _("Tệp PNG bị hỏng, không đọc được.")}) from exc
    alpha = rgba.getchannel("A")
    lo, hi = alpha.getextrema()
    if lo == 255:
        raise ValidationError(
            {"image": _("Ảnh không có nền trong suốt; hãy xuất lại ảnh PNG với nền trong suốt.")}
        )
    if hi == 0:
        raise ValidationError({"image": _("Ảnh trong suốt hoàn toàn, không có nét nào.")})
    if kind == SignatureImage.Kind.SEAL:
        small = rgba.resize((min(width, 200), min(height, 200)))
        red = total = 0
        for r, g, b, a in small.get_flattened_data():
            if a >= 128:
                total += 1
                if r > 120 and r > g + 60 and r > b + 60:
                    red += 1
        if total == 0 or red / total < 0.5:
            raise ValidationError(
                {"image": _("Hình con dấu phải màu đỏ (Nghị định 30/2020/NĐ-CP, Phụ lục I).")}
            )
    return width, height


@transaction.atomic
def signature_image_upload(
    *,
    kind: str,
    data: bytes,
    width_mm,
    actor,
    organizer: Organizer | None = None,
) -> SignatureImage:
    """A new version of a person's signature (kind=signature, owner = actor) or an
    organizer's seal (kind=seal). Earlier versions stay, as signatures refer to them."""
    try:
        width_mm = Decimal(str(width_mm))
    except (InvalidOperation, ValueError):
        raise ValidationError({"width_mm": _("Kích thước không hợp lệ.")}) from None
    low, high = (
        (Decimal(20), Decimal(60))
        if kind == SignatureImage.Kind.SEAL
        else (Decimal(15), Decimal(80))
    )
    if not low <= width_mm <= high:
        raise ValidationError(
            {
                "width_mm": _("Kích thước phải từ %(low)s đến %(high)s mm.")
                % {"low": low, "high": high}
            }
        )
    width, height = _check_png(data, kind)
    if kind == SignatureImage.Kind.SEAL:
        if organizer is None:
            raise ValidationError(_("Hình con dấu phải thuộc một cơ quan tổ chức."))
        Organizer.objects.select_for_update(of=("self",), no_key=True).get(pk=organizer.pk)
        owner = {"organizer": organizer}
    else:
        owner = {"user": actor}
    last = SignatureImage.objects.filter(kind=kind, **owner).aggregate(n=Max("version"))["n"] or 0
    sha = hashlib.sha256(data).hexdigest()
    image = SignatureImage(
        kind=kind,
        version=last + 1,
        sha256=sha,
        width_px=width,
        height_px=height,
        width_mm=width_mm,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **owner,
    )
    owner_key = f"o{organizer.pk}" if organizer else f"u{actor.pk}"
    image.image.save(
        f"{kind}-{owner_key}-v{last + 1}-{sha[:12]}.png", ContentFile(data), save=False
    )
    try:
        with transaction.atomic():
            image.save()
    except IntegrityError as exc:
        raise ValidationError(_("Một phiên bản khác vừa được tải lên; hãy thử lại.")) from exc
    audit(
        actor=actor,
        action=f"signing.{kind}_image",
        obj=image,
        summary=_("Tải lên %(kind)s, phiên bản %(v)s")
        % {"kind": image.get_kind_display(), "v": image.version},
        data={"sha256": sha, "organizer": organizer.pk if organizer else None},
    )
    return image


def latest_image(*, kind: str, user=None, organizer=None) -> SignatureImage | None:
    owner = {"organizer": organizer} if kind == SignatureImage.Kind.SEAL else {"user": user}
    if not any(owner.values()):
        return None
    return SignatureImage.objects.filter(kind=kind, **owner).order_by("-version").first()


# --- signing profile ------------------------------------------------------------------------


@transaction.atomic
def signing_profile_save(
    *,
    organizer: Organizer,
    enabled: bool,
    display_name: str,
    backend: str,
    actor,
    pkcs11_module: str = "",
    pkcs11_token: str = "",
    pkcs11_key: str = "",
    pkcs12_data: bytes | None = None,
    passphrase: str = "",
) -> SigningProfile:
    """Configure (or switch off) the organizer's own signing certificate. The certificate is
    read now (a token without PIN; a PKCS#12 file with its passphrase, which is not kept)."""
    Organizer.objects.select_for_update(of=("self",), no_key=True).get(pk=organizer.pk)
    profile = SigningProfile.objects.filter(organizer=organizer).first() or SigningProfile(
        organizer=organizer
    )
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("Hãy nhập tên cơ quan hiển thị trên chữ ký.")})
    profile.display_name = display_name[:200]
    profile.enabled = enabled
    profile.backend = backend
    info = None
    if backend == SigningProfile.Backend.PKCS11:
        if not (pkcs11_module and pkcs11_token.strip() and pkcs11_key.strip()):
            raise ValidationError(_("Hãy chọn thư viện PKCS#11 và nhập nhãn token, nhãn khóa."))
        profile.pkcs11_module = pkcs11_module
        profile.pkcs11_token = pkcs11_token.strip()[:64]
        profile.pkcs11_key = pkcs11_key.strip()[:64]
        info = sign.pkcs11_certificate(
            module=profile.pkcs11_module, token=profile.pkcs11_token, key=profile.pkcs11_key
        )
    elif backend == SigningProfile.Backend.PKCS12:
        if pkcs12_data:
            if len(pkcs12_data) > MAX_CERT_BYTES:
                raise ValidationError({"pkcs12": _("Tệp quá lớn: tối đa 256 KB.")})
            signer = sign.load_pkcs12(pkcs12_data, passphrase)
            info = sign.signer_certificate(signer)
            profile.pkcs12_file.save(
                f"org-{organizer.pk}-{hashlib.sha256(pkcs12_data).hexdigest()[:16]}.p12",
                ContentFile(pkcs12_data),
                save=False,
            )
        elif not profile.pkcs12_file:
            raise ValidationError({"pkcs12": _("Hãy chọn tệp PKCS#12 (.p12, .pfx).")})
    else:
        raise ValidationError({"backend": _("Nơi giữ khóa không hợp lệ.")})
    if info is not None:
        if not info.can_sign:
            raise ValidationError(_("Chứng thư số này không được phép dùng để ký."))
        profile.cert_subject = info.subject[:500]
        profile.cert_not_after = info.not_after_dt
        profile.cert_sha256 = info.sha256
    profile.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    profile.full_clean(exclude=["organizer", "pkcs12_file"])
    profile.save()
    audit(
        actor=actor,
        action="signing.profile",
        obj=profile,
        summary=_("Cấu hình ký số của cơ quan: %(name)s (%(state)s)")
        % {"name": profile.display_name, "state": _("bật") if enabled else _("tắt")},
        data={"backend": backend, "cert_sha256": profile.cert_sha256},
    )
    return profile


# --- layout and state -----------------------------------------------------------------------


def layout_boxes(version: DocumentVersion) -> list[SignBox]:
    """The version's signature blocks: what the documents app stored at finalize time when it
    does, else computed once from the layout and kept."""
    stored = version.signature_boxes
    if stored:
        return [SignBox.from_dict(b) for b in stored]
    cached = VersionLayout.objects.filter(version_id=version.pk).first()
    if cached is None:
        full = DocumentVersion.objects.get(pk=version.pk)
        boxes, exact = render_boxes(full)
        cached, _created = VersionLayout.objects.get_or_create(
            version_id=version.pk,
            defaults={"boxes": [b.as_dict() for b in boxes], "exact": exact},
        )
    return [SignBox.from_dict(b) for b in cached.boxes]


def current_signed(version: DocumentVersion) -> SignedFile | None:
    return SignedFile.objects.filter(version_id=version.pk).order_by("-seq").first()


def signed_pdf_bytes(version: DocumentVersion) -> bytes | None:
    current = current_signed(version)
    return current.read_bytes() if current else None


@dataclass
class SlotState:
    role: str  # the block's role code, or ORG_TARGET
    label: str  # what the clerk reads: "Thư ký", "Chủ trì", "Chữ ký số của cơ quan" …
    name: str
    signature: SignatureResult | None
    is_org: bool = False

    @property
    def name_differs(self) -> bool:
        """The certificate's name is not the name the document prints under the block (a
        deputy signing in place, or the wrong person): shown, not refused."""
        if not (self.name and self.signature and not self.is_org):
            return False

        def norm(text: str) -> str:
            return " ".join(unicodedata.normalize("NFC", text).casefold().split())

        return norm(self.name) != norm(self.signature.signer.get("common_name", ""))


@dataclass
class SigningState:
    required: int
    signed: int
    label: str
    signed_file: SignedFile | None
    result: FileResult | None
    slots: list[SlotState] = field(default_factory=list)
    profile: SigningProfile | None = None

    @property
    def complete(self) -> bool:
        return self.signed >= self.required

    @property
    def css(self) -> str:
        if self.signed == 0:
            return "badge-warn"
        return "badge-ok" if self.complete else "badge-muted"


def _inside(sig: SignatureResult, box: SignBox) -> bool:
    if sig.page != box.page or not sig.rect:
        return False
    cx = (sig.rect[0] + sig.rect[2]) / 2
    cy = (sig.rect[1] + sig.rect[3]) / 2
    return box.x <= cx <= box.x + box.width and box.y - 20 <= cy <= box.y + box.height + 20


def signing_state(
    version: DocumentVersion, *, profile: SigningProfile | None = None
) -> SigningState:
    """ "chờ ký", "đã ký (k/n)" or "đã ký đủ": n = the document's signature blocks, plus the
    organisation's signature when the organizer signs on the server."""
    boxes = layout_boxes(version)
    if profile is None:
        profile = SigningProfile.objects.filter(
            organizer_id=version.bloc_year.bloc.organizer_id, enabled=True
        ).first()
    signed_file = current_signed(version)
    result = FileResult.from_json(signed_file.report) if signed_file else None
    accepted = [s for s in (result.signatures if result else []) if Verdict(s.verdict).accepted]
    org_sigs = [s for s in accepted if profile and s.signer.get("sha256") == profile.cert_sha256]
    people = [s for s in accepted if s not in org_sigs]
    # Each person's signature goes to the block it sits in; the rest (invisible, or placed
    # elsewhere by another signing tool) fill the blocks still empty, in order.
    slots = [SlotState(box.role, box.label, box.name, None) for box in boxes]
    unassigned = list(people)
    for slot, box in zip(slots, boxes, strict=True):
        match = next((s for s in unassigned if _inside(s, box)), None)
        if match is not None:
            slot.signature = match
            unassigned.remove(match)
    for slot in slots:
        if slot.signature is None and unassigned:
            slot.signature = unassigned.pop(0)
    if profile is not None:
        slots.append(
            SlotState(
                ORG_TARGET,
                _("Chữ ký số của cơ quan"),
                profile.display_name,
                org_sigs[0] if org_sigs else None,
                True,
            )
        )
    required = max(len(slots), 1)
    signed = min(len(accepted), required)
    if signed == 0:
        label = _("chờ ký")
    elif signed < required:
        label = _("đã ký (%(signed)s/%(required)s)") % {"signed": signed, "required": required}
    else:
        label = _("đã ký đủ")
    return SigningState(required, signed, label, signed_file, result, slots, profile)


# --- verification ---------------------------------------------------------------------------


def refusal_message(result: FileResult, version: DocumentVersion | None) -> str:
    verdict = result.verdict_obj
    if verdict == Verdict.NOT_VERSION:
        if version is None:
            return _(
                "Không phải bản đã khóa: phần đầu của tệp không trùng với tệp PDF đã khóa nào "
                "trong hệ thống."
            )
        if result.problem == "changed_before_signing":
            return _(
                "Không phải bản đã khóa số %(number)s (phiên bản %(v)s): nội dung đã bị thay đổi "
                "trước khi ký."
            ) % {"number": version.number_label, "v": version.version}
        return _(
            "Không phải bản đã khóa số %(number)s (phiên bản %(v)s): phần đầu của tệp không trùng "
            "với tệp PDF đã khóa (SHA-256 %(sha)s…)."
        ) % {"number": version.number_label, "v": version.version, "sha": version.pdf_sha256[:16]}
    if verdict == Verdict.MODIFIED:
        return _("Không hợp lệ: tài liệu đã bị sửa sau khi ký.")
    bad = [s for s in result.signatures if not Verdict(s.verdict).accepted]
    if bad:
        s = bad[0]
        return _("Chữ ký %(n)s (%(cn)s): %(verdict)s.") % {
            "n": s.index,
            "cn": s.signer.get("common_name") or "?",
            "verdict": Verdict(s.verdict).label,
        }
    return str(verdict.label)


def _audit_failure(
    *, actor, version: DocumentVersion | None, data: bytes, message: str, result=None
):
    payload = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "verdict": result.verdict if result else "not_signed",
        "problem": result.problem if result else "",
        "signers": [s.signer.get("common_name", "") for s in result.signatures] if result else [],
    }
    if version is not None:
        audit(
            actor=actor,
            action="signing.verify_failed",
            obj=version,
            summary=_("Kiểm tra chữ ký số không đạt (văn bản số %(number)s): %(message)s")
            % {"number": version.number_label, "message": message},
            data=payload,
        )
    else:
        AuditEvent.objects.create(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action="signing.verify_failed",
            object_type="signing.upload",
            object_id=payload["sha256"][:40],
            summary=(_("Kiểm tra chữ ký số không đạt: %(message)s") % {"message": message})[:500],
            data=payload,
        )


def _find_version(data: bytes) -> DocumentVersion | None:
    hashes = prefix_hashes(data)
    if not hashes:
        return None
    return (
        DocumentVersion.objects.select_related("bloc_year__bloc")
        .filter(pdf_sha256__in=list(hashes))
        .order_by("-pdf_size")
        .first()
    )


def verify_public(
    *, data: bytes, actor=None
) -> tuple[FileResult | None, DocumentVersion | None, str]:
    """The public /verify/ page: which finalized version this signed file builds on, and the
    verdict of each signature. Nothing is stored; a failed verification is audited.
    Returns (result, version, refusal message or "")."""
    if len(data) > MAX_SIGNED_BYTES:
        return None, None, _("Tệp quá lớn để kiểm tra: tối đa 20 MB.")
    version = _find_version(data)
    try:
        result = verify_pdf(
            data,
            original=version.pdf_bytes if version else None,
            trust_roots=trust_roots_for(version.bloc_year.bloc.organizer_id if version else None),
        )
    except NotSignedPdf:
        message = _("Tệp không phải PDF có chữ ký số.")
        _audit_failure(actor=actor, version=version, data=data, message=message)
        return None, version, message
    if result.accepted:
        return result, version, ""
    message = refusal_message(result, version)
    _audit_failure(actor=actor, version=version, data=data, message=message, result=result)
    return result, version, message


def signed_upload(*, version: DocumentVersion, data: bytes, actor) -> SignedFile:
    """Accept a PDF signed outside the app for this version: verified first, stored only when
    every signature is accepted (Hợp lệ, or valid but untrusted). Refusals store nothing and are
    audited."""
    if not data:
        raise SignatureRefused(_("Tệp rỗng."))
    if len(data) > MAX_SIGNED_BYTES:
        raise SignatureRefused(_("Tệp quá lớn: tối đa 20 MB."))
    version = DocumentVersion.objects.select_related("bloc_year__bloc").get(pk=version.pk)
    try:
        result = verify_pdf(
            data,
            original=version.pdf_bytes,
            trust_roots=trust_roots_for(version.bloc_year.bloc.organizer_id),
        )
    except NotSignedPdf:
        message = _("Tệp không phải PDF có chữ ký số.")
        _audit_failure(actor=actor, version=version, data=data, message=message)
        raise SignatureRefused(message) from None
    if not result.accepted:
        other = _find_version(data) if result.problem == "base_mismatch" else None
        message = refusal_message(result, version)
        if (
            other is not None
            and other.pk != version.pk
            and other.bloc_year_id == version.bloc_year_id
        ):
            message += " " + _("Tệp được ký trên văn bản số %(number)s, phiên bản %(v)s.") % {
                "number": other.number_label,
                "v": other.version,
            }
        _audit_failure(actor=actor, version=version, data=data, message=message, result=result)
        raise SignatureRefused(message, result)
    return _store(
        version=version, data=data, result=result, source=SignedFile.Source.UPLOAD, actor=actor
    )


@transaction.atomic
def _store(
    *, version, data: bytes, result: FileResult, source: str, actor, image=None
) -> SignedFile:
    DocumentVersion.objects.select_for_update(of=("self",), no_key=True).only("pk").get(
        pk=version.pk
    )
    current = current_signed(version)
    if current is not None:
        if current.sha256 == result.sha256:
            raise SignatureRefused(
                _("Tệp này đã được lưu (lần ký %(n)s).") % {"n": current.seq}, result
            )
        previous = current.read_bytes()
        if not data.startswith(previous):
            message = _(
                "Tệp không chứa các chữ ký đã lưu (lần ký %(n)s, %(count)s chữ ký): hãy ký tiếp lên "
                "bản đã ký hiện tại, tải về từ trang văn bản."
            ) % {"n": current.seq, "count": current.signature_count}
            _audit_failure(actor=actor, version=version, data=data, message=message, result=result)
            raise SignatureRefused(message, result)
    seq = (current.seq + 1) if current else 1
    signed = SignedFile(
        version=version,
        seq=seq,
        sha256=result.sha256,
        size=len(data),
        signature_count=len(result.signatures),
        source=source,
        verdict=result.verdict,
        report=result.as_json(),
        verified_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    signed.file.save(f"signed-{version.pk}-{seq}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            signed.save()
    except IntegrityError as exc:
        raise SignatureRefused(
            _("Văn bản vừa được ký bởi người khác; hãy tải lại trang."), result
        ) from exc
    before = current.signature_count if current else 0
    for sig in result.signatures[before:]:
        audit(
            actor=actor,
            action="signing.signature_added",
            obj=version,
            summary=_("Thêm chữ ký số của %(cn)s vào văn bản số %(number)s (%(verdict)s)")
            % {
                "cn": sig.signer.get("common_name") or "?",
                "number": version.number_label,
                "verdict": Verdict(sig.verdict).label,
            },
            data={
                "signed_file": signed.pk,
                "seq": seq,
                "source": source,
                "field": sig.field_name,
                "serial": sig.signer.get("serial"),
                "issuer": sig.signer.get("issuer"),
                "signing_time": sig.signing_time,
                "sha256": result.sha256,
                # the versioned signature or seal image drawn on the page (server signing)
                "image": _image_ref(image),
            },
        )
    return signed


def _image_ref(image: SignatureImage | None) -> dict | None:
    if image is None:
        return None
    return {"id": image.pk, "kind": image.kind, "version": image.version, "sha256": image.sha256}


@transaction.atomic
def signed_file_reverify(*, signed_file: SignedFile, actor=None) -> SignedFile:
    """Check a stored signed file again against today's trust list (e.g. after the operator
    loaded a root)."""
    signed_file = (
        SignedFile.objects.select_for_update(of=("self",))
        .select_related("version__bloc_year__bloc")
        .get(pk=signed_file.pk)
    )
    version = signed_file.version
    result = verify_pdf(
        signed_file.read_bytes(),
        original=version.pdf_bytes,
        trust_roots=trust_roots_for(version.bloc_year.bloc.organizer_id),
    )
    if not result.accepted:
        _audit_failure(
            actor=actor,
            version=version,
            data=signed_file.read_bytes(),
            message=refusal_message(result, version),
            result=result,
        )
        raise ValidationError(refusal_message(result, version))
    signed_file.report = result.as_json()
    signed_file.verdict = result.verdict
    signed_file.verified_at = timezone.now()
    signed_file.save(update_fields=["report", "verdict", "verified_at"])
    return signed_file


# --- signing on the server ------------------------------------------------------------------


def sign_targets(state: SigningState) -> list[tuple[str, str]]:
    """(value, label) of the places still to sign: each signature block, and the
    organisation's signature when configured."""
    targets = []
    for i, slot in enumerate(state.slots):
        if slot.signature is None:
            targets.append((ORG_TARGET if slot.is_org else f"box-{i}", slot.label))
    return targets


@transaction.atomic
def version_sign(
    *,
    version: DocumentVersion,
    target: str,
    actor,
    secret: str = "",
    pkcs12_data: bytes | None = None,
) -> SignedFile:
    """Sign the version's current PDF on the server: a person's signature block with their own
    PKCS#12 (given now, not kept), or the organisation's signature with the organizer's
    certificate (token PIN or PKCS#12 passphrase given now, not kept)."""
    DocumentVersion.objects.select_for_update(of=("self",), no_key=True).only("pk").get(
        pk=version.pk
    )
    version = DocumentVersion.objects.select_related("bloc_year__bloc__organizer").get(
        pk=version.pk
    )
    state = signing_state(version)
    targets = dict(sign_targets(state))
    if target not in targets:
        raise ValidationError({"target": _("Vị trí ký không hợp lệ hoặc đã được ký.")})
    boxes = layout_boxes(version)
    current = state.signed_file
    data = current.read_bytes() if current else version.pdf_bytes
    organizer = version.bloc_year.bloc.organizer
    if target == ORG_TARGET:
        profile = state.profile
        if not boxes:
            raise ValidationError(_("Văn bản không có khối chữ ký để đóng dấu."))
        # The seal goes on the signature of the person with authority: the chair, the bloc's
        # leader; else the last block of the document.
        person_box = next((b for b in boxes if b.role in ("chair", "bloc-leader")), boxes[-1])
        person_sig = next(
            (
                s.signature
                for s in state.slots
                if not s.is_org and s.signature and s.role == person_box.role
            ),
            None,
        )
        if person_sig is not None and person_sig.rect and person_sig.page == person_box.page:
            sig_rect = appearance.Rect.from_pdf(person_sig.rect)
        else:
            sig_rect = appearance.signature_rect(person_box, None)
        seal = latest_image(kind=SignatureImage.Kind.SEAL, organizer=organizer)
        seal_r = appearance.seal_rect(sig_rect, float(seal.width_mm) if seal else 36.0)
        field_r = appearance.org_rect(seal_r)
        seal_png = seal.read_bytes() if seal else None
        org_name = profile.display_name

        def draw(moment):
            return appearance.org_page(
                field_r, seal_r, seal_png=seal_png, org_name=org_name, moment=moment
            )

        placement = sign.Placement(
            sign.unique_field_name(data, "CoQuan"), person_box.page, field_r, draw
        )
        return _sign_with_profile(
            version=version,
            profile=profile,
            data=data,
            placement=placement,
            secret=secret,
            actor=actor,
            image=seal,
        )

    index = int(target.split("-", 1)[1])
    box = boxes[index]
    if not pkcs12_data:
        raise ValidationError({"pkcs12": _("Hãy chọn tệp chứng thư số cá nhân (.p12, .pfx).")})
    signer = sign.load_pkcs12(pkcs12_data, secret)
    info = sign.signer_certificate(signer)
    sign.check_can_sign(info)
    image = latest_image(kind=SignatureImage.Kind.SIGNATURE, user=actor)
    image_png = image.read_bytes() if image else None
    rect = (
        appearance.signature_rect(box, (image.width_px, image.height_px), image.width_mm)
        if image
        else appearance.signature_rect(box, None)
    )

    def draw(moment):
        return appearance.person_page(
            rect, image_png=image_png, signer_name=info.common_name, moment=moment
        )

    placement = sign.Placement(
        sign.unique_field_name(data, box.role or "ChuKy"), box.page, rect, draw
    )
    signed = sign.sign_pdf(
        data,
        signer=signer,
        placement=placement,
        name=info.common_name,
        location=organizer.place_name,
        reason=box.label,
    )
    return _store_server(version=version, data=signed, actor=actor, image=image)


def _sign_with_profile(
    *, version, profile: SigningProfile | None, data, placement, secret, actor, image=None
):
    if profile is None or not profile.enabled:
        raise ValidationError(_("Cơ quan chưa cấu hình ký số trên máy chủ."))
    if profile.backend == SigningProfile.Backend.PKCS11:
        with sign.open_pkcs11(
            module=profile.pkcs11_module,
            token=profile.pkcs11_token,
            key=profile.pkcs11_key,
            pin=secret,
        ) as signer:
            sign.check_can_sign(sign.signer_certificate(signer))
            signed = sign.sign_pdf(
                data,
                signer=signer,
                placement=placement,
                name=profile.display_name,
                location=profile.organizer.place_name,
            )
    else:
        with profile.pkcs12_file.open("rb") as f:
            signer = sign.load_pkcs12(f.read(), secret)
        sign.check_can_sign(sign.signer_certificate(signer))
        signed = sign.sign_pdf(
            data,
            signer=signer,
            placement=placement,
            name=profile.display_name,
            location=profile.organizer.place_name,
        )
    return _store_server(version=version, data=signed, actor=actor, image=image)


def _store_server(*, version, data: bytes, actor, image=None) -> SignedFile:
    result = verify_pdf(
        data,
        original=version.pdf_bytes,
        trust_roots=trust_roots_for(version.bloc_year.bloc.organizer_id),
    )
    if not result.accepted:
        message = refusal_message(result, version)
        _audit_failure(actor=actor, version=version, data=data, message=message, result=result)
        raise SignatureRefused(message, result)
    return _store(
        version=version,
        data=data,
        result=result,
        source=SignedFile.Source.SERVER,
        actor=actor,
        image=image,
    )
