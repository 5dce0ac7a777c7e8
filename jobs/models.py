"""The Job record: what a background job is doing, for whom, and how far it got."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# While a job runs, its progress lives in the shared cache (a job usually writes its data in one
# transaction, so a progress row written on the same connection would stay invisible until the
# end). The row gets the final figures when the job finishes.
PROGRESS_KEY = "job-progress:{}"
PROGRESS_TTL = 24 * 3600
PROGRESS_MIN_INTERVAL = 0.25  # seconds between two cache writes of the same job


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        SUCCEEDED = "succeeded", _("Hoàn thành")
        FAILED = "failed", _("Không thành công")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("tên tác vụ"), max_length=200)
    func = models.CharField(_("hàm thực hiện"), max_length=200)
    kwargs = models.JSONField(_("tham số"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), null=True, blank=True)
    message = models.TextField(_("thông báo"), blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    result_url = models.CharField(_("đường dẫn kết quả"), max_length=500, blank=True)
    task_id = models.CharField(_("mã tác vụ trong hàng đợi"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(done__lte=models.F("total")),
                name="job_done_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(result_url="") | models.Q(result_url__startswith="/"),
                name="job_result_url_is_local",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    # --- progress, called by the job function while it runs ---------------------------------

    def report(self, *, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress (done of total, a Vietnamese message); cheap enough to call per row.

        Written to the shared cache at most every PROGRESS_MIN_INTERVAL seconds, and always for
        the last item. Safe inside the job's own transaction.
        """
        if total is not None:
            self.total = total
        self.done = min(done, self.total) if self.total is not None else done
        if message:
            self.message = message
        now = time.monotonic()
        last = getattr(self, "_reported_at", 0.0)
        if now - last < PROGRESS_MIN_INTERVAL and self.done != self.total:
            return
        self._reported_at = now
        cache.set(
            PROGRESS_KEY.format(self.pk),
            {"done": self.done, "total": self.total, "message": self.message},
            PROGRESS_TTL,
        )

    def live(self) -> Job:
        """This job with the latest progress from the cache when it is still running."""
        if self.status == self.Status.RUNNING:
            progress = cache.get(PROGRESS_KEY.format(self.pk))
            if progress:
                self.done = progress["done"]
                self.total = progress["total"]
                self.message = progress["message"]
        return self

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == self.Status.SUCCEEDED else None
        return min(100, self.done * 100 // self.total)
