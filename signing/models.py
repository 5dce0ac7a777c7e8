"""Digital signatures (ký số) on finalized documents.

- `TrustRoot`: the operator's trust list (global, or one organizer's). Nothing is shipped.
- `SigningProfile`: an organizer's own certificate for server signing (optional): a PKCS#11
  token (HSM / SoftHSM2) or a PKCS#12 file. PINs and passphrases are asked at signing time and
  never stored.
- `SignatureImage`: versioned transparent PNGs: a person's signature, an organizer's seal.
- `SignedFile`: a signed PDF of a finalized `DocumentVersion`. Each is an incremental update of
  the previous one (the first of the finalized bytes, which never change); the newest is the one
  the download offers.
- `VersionLayout`: where the document prints its signature blocks (computed from the layout).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import Organizer
from documents.models import DocumentVersion


class Verdict(models.TextChoices):
    """A signature's verdict, worst last. The file's verdict is its worst signature's (or a
    file-level refusal)."""

    VALID = "valid", _("Hợp lệ")
    UNTRUSTED = "untrusted", _("Hợp lệ nhưng chưa xác thực được nguồn cấp chứng thư")
    KEY_USAGE = "key_usage", _("Không hợp lệ: chứng thư số không được phép dùng để ký")
    EXPIRED = "expired", _("Không hợp lệ: chứng thư số hết hạn hoặc chưa có hiệu lực khi ký")
    REVOKED = "revoked", _("Không hợp lệ: chứng thư số đã bị thu hồi")
    BROKEN = "broken", _("Không hợp lệ: chữ ký số không đúng với chứng thư số")
    MODIFIED = "modified", _("Không hợp lệ: tài liệu đã bị sửa sau khi ký")
    NOT_VERSION = "not_version", _("Không phải bản đã khóa")

    @property
    def accepted(self) -> bool:
        return self in (Verdict.VALID, Verdict.UNTRUSTED)

    @property
    def rank(self) -> int:
        return list(Verdict).index(self)


def _der_sha256(der: bytes) -> str:
    import hashlib

    return hashlib.sha256(der).hexdigest()


class TrustRoot(models.Model):
    """A CA certificate the operator trusts. Global (no organizer: superuser only) or one
    organizer's (its office staff). Never deleted: removal deactivates it (audited)."""

    organizer = models.ForeignKey(
        Organizer,
        verbose_name=_("cơ quan tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trust_roots",
        help_text=_("Để trống: dùng cho mọi cơ quan tổ chức."),
    )
    der = models.BinaryField(_("chứng thư (DER)"))
    sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=80)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    label = models.CharField(_("ghi chú"), max_length=200, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("danh sách chứng thư gốc tin cậy")
        ordering = ["organizer_id", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(organizer__isnull=True, active=True),
                name="trustroot_global_once",
            ),
            models.UniqueConstraint(
                fields=["organizer", "sha256"],
                condition=Q(organizer__isnull=False, active=True),
                name="trustroot_organizer_once",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class SigningProfile(models.Model):
    """An organizer's certificate for server signing (ký số của cơ quan). Optional."""

    class Backend(models.TextChoices):
        PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (HSM, token)")
        PKCS12 = "pkcs12", _("Tệp PKCS#12 (.p12, .pfx)")

    organizer = models.OneToOneField(
        Organizer,
        verbose_name=_("cơ quan tổ chức"),
        on_delete=models.PROTECT,
        related_name="signing_profile",
    )
    enabled = models.BooleanField(_("cho phép ký số của cơ quan trên máy chủ"), default=False)
    display_name = models.CharField(
        _("tên cơ quan hiển thị trên chữ ký"),
        max_length=200,
        help_text=_("Ví dụ: Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh."),
    )
    backend = models.CharField(
        _("nơi giữ khóa"), max_length=8, choices=Backend.choices, default=Backend.PKCS11
    )
    pkcs11_module = models.CharField(
        _("thư viện PKCS#11"),
        max_length=300,
        blank=True,
        help_text=_(
            "Chỉ các thư viện do người quản trị máy chủ khai báo (SIGNING_PKCS11_MODULES)."
        ),
    )
    pkcs11_token = models.CharField(_("nhãn token"), max_length=64, blank=True)
    pkcs11_key = models.CharField(_("nhãn khóa và chứng thư"), max_length=64, blank=True)
    pkcs12_file = models.FileField(_("tệp PKCS#12"), upload_to="signing/pkcs12/", blank=True)
    cert_subject = models.CharField(_("chứng thư: chủ thể"), max_length=500, blank=True)
    cert_not_after = models.DateTimeField(_("chứng thư: hiệu lực đến"), null=True, blank=True)
    cert_sha256 = models.CharField(_("chứng thư: SHA-256"), max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cấu hình ký số của cơ quan")
        verbose_name_plural = _("cấu hình ký số của cơ quan")
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=False)
                | Q(backend="pkcs11", pkcs11_module__gt="", pkcs11_token__gt="", pkcs11_key__gt="")
                | (Q(backend="pkcs12") & ~Q(pkcs12_file="")),
                name="signingprofile_enabled_complete",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class SignatureImage(models.Model):
    """A transparent PNG: a person's handwritten signature, or an organizer's seal (red, at
    real size). Versioned: a new upload is a new version; signatures keep the one they used."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Hình chữ ký")
        SEAL = "seal", _("Hình con dấu")

    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signature_images",
    )
    organizer = models.ForeignKey(
        Organizer, null=True, blank=True, on_delete=models.PROTECT, related_name="seal_images"
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    image = models.FileField(_("tệp PNG"), upload_to="signing/images/")
    sha256 = models.CharField(max_length=64)
    width_px = models.PositiveIntegerField()
    height_px = models.PositiveIntegerField()
    width_mm = models.DecimalField(
        _("chiều rộng thực (mm)"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Con dấu: đường kính thật của dấu, ví dụ 36 mm."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("hình chữ ký, con dấu")
        verbose_name_plural = _("hình chữ ký, con dấu")
        ordering = ["kind", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="signature", user__isnull=False, organizer__isnull=True)
                | Q(kind="seal", organizer__isnull=False, user__isnull=True),
                name="signatureimage_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "version"],
                condition=Q(kind="signature"),
                name="signatureimage_user_version",
            ),
            models.UniqueConstraint(
                fields=["organizer", "version"],
                condition=Q(kind="seal"),
                name="signatureimage_organizer_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Hình đã tải lên không được sửa; hãy tải phiên bản mới."))
        super().save(*args, **kwargs)

    def read_bytes(self) -> bytes:
        with self.image.open("rb") as f:
            return f.read()


def signed_upload_to(instance: SignedFile, filename: str) -> str:
    return f"signing/signed/{instance.version_id}/{instance.seq:02d}-{instance.sha256[:16]}.pdf"


# Only the verification result may change after a signed file is stored (re-verification
# against the trust list of today).
REVERIFY_FIELDS = frozenset({"report", "verdict", "verified_at"})


class SignedFile(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Tải lên (ký ngoài hệ thống)")
        SERVER = "server", _("Ký trên máy chủ")

    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("văn bản đã khóa"),
        on_delete=models.PROTECT,
        related_name="signed_files",
    )
    seq = models.PositiveSmallIntegerField(_("lần ký"))
    file = models.FileField(_("tệp PDF đã ký"), upload_to=signed_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    signature_count = models.PositiveSmallIntegerField(_("số chữ ký"))
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices)
    verdict = models.CharField(_("kết luận"), max_length=12, choices=Verdict.choices)
    report = models.JSONField(_("kết quả kiểm tra"))
    verified_at = models.DateTimeField(_("kiểm tra lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bản đã ký số")
        verbose_name_plural = _("bản đã ký số")
        ordering = ["version", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["version", "seq"], name="signedfile_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="signedfile_seq_positive"),
            models.CheckConstraint(
                condition=Q(verdict__in=["valid", "untrusted"]),
                name="signedfile_only_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} – ký lần {self.seq}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if not update_fields or not set(update_fields) <= REVERIFY_FIELDS:
                raise ValidationError(_("Bản đã ký không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Bản đã ký không được xóa."))

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as f:
            return f.read()


class VersionLayout(models.Model):
    """The signature blocks of a finalized version, computed once from the layout."""

    version = models.OneToOneField(
        DocumentVersion, primary_key=True, on_delete=models.CASCADE, related_name="sign_layout"
    )
    boxes = models.JSONField()
    exact = models.BooleanField(
        help_text="True when re-rendering the snapshot gave the finalized PDF byte for byte."
    )
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vị trí khối chữ ký")
        verbose_name_plural = _("vị trí khối chữ ký")

    def __str__(self) -> str:
        return f"{self.version_id}: {len(self.boxes)}"
