"""Load the demo data built from the five seed reports. Safe to run again: nothing doubles."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blocs import demo as blocs_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (từ 5 bản tin trong shared/seeds). Chạy lại không tạo bản ghi trùng."

    def handle(self, *args, **options):
        # The demo creates known accounts and passwords: never on a production server by mistake.
        if not settings.DEMO_ALLOWED:
            raise CommandError(
                "Dữ liệu mẫu chỉ được nạp khi chạy thử (make run, DEBUG=1) hoặc khi đặt DEMO=1; "
                "máy chủ thật không bao giờ nạp dữ liệu mẫu."
            )
        result = blocs_demo.load()
        # Other apps add their part of the demo (meetings, awards) when they provide one.
        for app in ("meetings", "awards", "accounts", "legal"):
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.load(result)
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu."))
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu cho tất cả: {blocs_demo.DEMO_PASSWORD}):")
        for username, role in result["logins"]:
            self.stdout.write(f"  {username:<24} {role}")
