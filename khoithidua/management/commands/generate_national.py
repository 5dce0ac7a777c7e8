from django.core.management.base import BaseCommand, CommandError

from khoithidua.national import generate


class Command(BaseCommand):
    help = "Sinh dữ liệu thử quy mô quốc gia (mặc định 34 tỉnh × 20 khối × 10 đơn vị × 5 năm) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=34)
        parser.add_argument("--blocs", type=int, default=20)
        parser.add_argument("--units", type=int, default=10)
        parser.add_argument("--years", type=int, default=5)

    def handle(self, *args, **o):
        try:
            counts = generate(
                provinces=o["provinces"], blocs=o["blocs"], units=o["units"], years=o["years"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS("Đã sinh: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        )
