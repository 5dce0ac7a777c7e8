"""Immutable documents (pretix-style): a finalized version never changes; a correction is a new
version that refers to the one it replaces, and the old PDF stays downloadable byte-identical."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear


class Kind(models.TextChoices):
    MINUTES = "minutes", _("Biên bản hội nghị")
    COUNT_MINUTES = "count_minutes", _("Biên bản kiểm phiếu")
    BALLOTS = "ballots", _("Phiếu bầu")
    COVENANT = "covenant", _("Bản giao ước thi đua")
    REPORT = "report", _("Báo cáo kết quả chấm điểm, bình xét")
    PROPOSAL = "proposal", _("Tờ trình đề nghị khen thưởng")
    INVITATION = "invitation", _("Giấy mời hội nghị")


# Immutable once written: only the signed-scan fields may be set later (once).
SCAN_FIELDS = frozenset(
    {
        "scan",
        "scan_content_type",
        "scan_sha256",
        "scan_size",
        "scan_uploaded_by",
        "scan_uploaded_at",
    }
)


def scan_upload_to(instance: DocumentVersion, filename: str) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.scan_content_type, "bin"
    )
    return (
        f"documents/scans/{instance.bloc_year_id}/{instance.pk}-{instance.scan_sha256[:16]}.{ext}"
    )


class DocumentVersion(models.Model):
    kind = models.CharField(_("loại văn bản"), max_length=16, choices=Kind.choices)
    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.PROTECT, related_name="documents"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    symbol = models.CharField(_("ký hiệu"), max_length=40, help_text=_("Ví dụ: BB-KNC."))
    number = models.PositiveIntegerField(_("số"))
    issued_on = models.DateField(_("ngày văn bản"))
    title = models.CharField(_("trích yếu"), max_length=500)
    snapshot = models.JSONField(_("dữ liệu tại thời điểm khóa"))
    fingerprint = models.CharField(_("mã xác thực nội dung (SHA-256)"), max_length=64)
    pdf = models.BinaryField(_("tệp PDF"))
    pdf_sha256 = models.CharField(_("SHA-256 của tệp PDF"), max_length=64, unique=True)
    pdf_size = models.PositiveIntegerField(_("dung lượng PDF (byte)"))
    verify_url = models.CharField(_("địa chỉ kiểm tra"), max_length=300)
    signature_boxes = models.JSONField(
        _("vị trí chữ ký trong tệp PDF"),
        default=list,
        blank=True,
        help_text=_(
            "Mỗi ô ký: vai trò, trang (từ 0), x, y, rộng, cao theo điểm PDF, gốc ở góc dưới trái."
        ),
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay thế phiên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    reason = models.CharField(_("lý do lập phiên bản mới"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("khóa lúc"), auto_now_add=True)
    scan = models.FileField(_("bản scan có chữ ký"), upload_to=scan_upload_to, blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_size = models.PositiveIntegerField(null=True, blank=True)
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("văn bản đã khóa")
        verbose_name_plural = _("văn bản đã khóa")
        ordering = ["bloc_year", "kind", "subject_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "version"],
                name="docversion_version_unique",
            ),
            models.UniqueConstraint(
                fields=["bloc_year", "symbol", "number"], name="docversion_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1) & Q(number__gte=1), name="docversion_positive"
            ),
            models.CheckConstraint(
                condition=Q(version=1, replaces__isnull=True)
                | Q(version__gt=1, replaces__isnull=False),
                name="docversion_replaces_iff_later",
            ),
            models.CheckConstraint(
                condition=Q(scan="")
                | Q(scan_content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="docversion_scan_type_allowed",
            ),
        ]
        indexes = [models.Index(fields=["fingerprint"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number_label} (v{self.version})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if not update_fields or not set(update_fields) <= SCAN_FIELDS:
                raise ValidationError(_("Văn bản đã khóa không được sửa; hãy lập phiên bản mới."))
            if DocumentVersion.objects.filter(pk=self.pk).exclude(scan="").exists():
                raise ValidationError(
                    _("Phiên bản này đã có bản scan; hãy lập phiên bản mới để thay.")
                )
        else:
            if hashlib.sha256(bytes(self.pdf)).hexdigest() != self.pdf_sha256:
                raise ValidationError("pdf_sha256 does not match the PDF bytes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Văn bản đã khóa không được xóa."))

    @property
    def number_label(self) -> str:
        return f"{self.number:02d}/{self.symbol}"

    @property
    def is_current(self) -> bool:
        try:
            self.replaced_by  # noqa: B018
        except DocumentVersion.DoesNotExist:
            return True
        return False

    @property
    def pdf_bytes(self) -> bytes:
        return bytes(self.pdf)
