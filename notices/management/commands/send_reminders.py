"""Queue today's deadline reminders for the background worker. Run it once a day (cron):

    15 7 * * *  cd /app && python manage.py send_reminders

Each reminder goes out once (the database refuses a second row), so running it again the same day
(or on two machines) sends nothing twice.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs.services import job_start
from notices.jobs import deadline_reminders


class Command(BaseCommand):
    help = "Xếp hàng gửi thư nhắc hạn hôm nay cho các đơn vị chậm (mỗi thư nhắc chỉ gửi một lần)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Ngày tính nhắc hạn, dạng YYYY-MM-DD (mặc định hôm nay)."
        )

    def handle(self, *args, **options):
        day = timezone.localdate()
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date phải có dạng YYYY-MM-DD, ví dụ 2026-03-28.") from exc
        job = job_start(
            func=deadline_reminders,
            title=f"Nhắc hạn ngày {day:%d/%m/%Y}",
            kwargs={"today": day.isoformat(), "base_url": settings.SITE_URL},
        )
        self.stdout.write(f"{job.pk} {job.get_status_display()}: {job.message}")
