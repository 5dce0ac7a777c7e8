"""Delete the files of registry export jobs older than REGISTRY_EXPORT_TTL_HOURS (run from cron,
e.g. hourly; every new export job also does it first)."""

from django.core.management.base import BaseCommand

from blocs.registry_jobs import purge_expired_exports


class Command(BaseCommand):
    help = "Xóa các tệp xuất danh mục đã quá thời hạn lưu giữ (REGISTRY_EXPORT_TTL_HOURS)."

    def handle(self, *args, **options):
        n = purge_expired_exports()
        self.stdout.write(f"Đã xóa {n} tệp xuất hết hạn.")
