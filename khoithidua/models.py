from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """A file of the default storage (khoithidua.lib.dbstorage): in PostgreSQL, so every app
    server sees it, and a file saved inside a transaction that rolls back never existed."""

    name = models.CharField(_("tên"), max_length=500, unique=True)
    content = models.BinaryField(_("nội dung"))
    size = models.PositiveBigIntegerField(_("kích thước"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self) -> str:
        return self.name
