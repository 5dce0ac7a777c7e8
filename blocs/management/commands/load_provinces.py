"""Load the official province lists and record the 2025 mergers (see blocs.provinces)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from blocs import merger as m
from blocs import services
from blocs.matching import fold
from blocs.models import Level, Organizer, OrganizerMerger
from blocs.provinces import BASIS, EFFECTIVE_DATE, OfficialProvince, official_lists


class Command(BaseCommand):
    help = (
        "Nạp danh mục 34 tỉnh, thành phố (từ 01/07/2025) và 63 tỉnh trước đó từ gói "
        "vietnam-provinces: gán mã tỉnh chính thức cho cơ quan tổ chức và ghi nhận việc hợp nhất "
        "năm 2025 (chờ duyệt nếu tỉnh đã có đơn vị hoặc khối). Chạy lại không tạo bản ghi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không lưu gì.")
        parser.add_argument(
            "--rename-on",
            type=dt.date.fromisoformat,
            help="Ghi đổi tên theo danh mục chính thức, có hiệu lực từ ngày này (YYYY-MM-DD).",
        )
        parser.add_argument("--rename-basis", default="", help="Căn cứ của việc đổi tên.")

    def handle(self, *args, dry_run=False, rename_on=None, rename_basis="", **options):
        if rename_on and not rename_basis.strip():
            raise CommandError("--rename-on cần kèm --rename-basis (căn cứ đổi tên).")
        lists = official_lists()
        self.report = {"created": 0, "coded": 0, "recorded": 0, "confirmed": 0, "pending": 0}
        try:
            with transaction.atomic():
                self._apply(lists, rename_on, rename_basis)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            self.stdout.write("(chạy thử: không lưu gì)")
        r = self.report
        self.stdout.write(
            self.style.SUCCESS(
                f"Danh mục: {len(lists.current)} tỉnh, thành phố hiện nay; {len(lists.legacy)} tỉnh "
                f"trước 01/07/2025; {len(lists.merged())} tỉnh đã hợp nhất."
            )
        )
        self.stdout.write(
            f"Cơ quan tổ chức tạo mới: {r['created']}; gán mã: {r['coded']}; hợp nhất ghi nhận: "
            f"{r['recorded']} (tự xác nhận vì chưa có đơn vị, khối: {r['confirmed']}; chờ duyệt: "
            f"{r['pending']})."
        )

    def _apply(self, lists, rename_on, rename_basis) -> None:
        by_current: dict[str, Organizer] = {}
        for code, province in sorted(lists.current.items()):
            legacy_code = lists.continues.get(code, "")
            organizer = (
                Organizer.objects.filter(official_code=code).first()
                or (legacy_code and Organizer.objects.filter(legacy_code=legacy_code).first())
                or self._by_place(province, merged=False)
            )
            organizer = self._ensure(organizer, province, official=code, legacy=legacy_code)
            by_current[code] = organizer
            self._compare_names(organizer, province, rename_on, rename_basis)
        for old, new in lists.merged():
            organizer = Organizer.objects.filter(legacy_code=old.code).first() or self._by_place(
                old, merged=None
            )
            organizer = self._ensure(organizer, old, official="", legacy=old.code)
            target = by_current[new.code]
            merger = OrganizerMerger.objects.filter(source=organizer).first()
            if merger is None and organizer.merged_into_id is None:
                merger = m.merger_record(
                    source=organizer, target=target, effective_date=EFFECTIVE_DATE, basis=BASIS
                )
                self.report["recorded"] += 1
            if merger is None or merger.is_confirmed:
                continue
            proposal = m.merger_proposal(merger=merger)
            if not proposal.units and not proposal.blocs:
                m.merger_confirm(merger=merger, units={}, blocs={}, roles={})
                self.report["confirmed"] += 1
            else:
                self.report["pending"] += 1
                self.stdout.write(
                    f"Chờ duyệt: {organizer.name} → {target.name} "
                    f"({len(proposal.units)} đơn vị, {len(proposal.blocs)} khối) tại /mergers/{merger.pk}/"
                )

    def _by_place(self, province: OfficialProvince, *, merged: bool | None) -> Organizer | None:
        candidates = Organizer.objects.filter(level=Level.PROVINCE)
        if merged is False:
            candidates = candidates.filter(merged_into__isnull=True)
        found = [o for o in candidates if fold(o.province) == fold(province.province)]
        return found[0] if len(found) == 1 else None

    def _ensure(self, organizer, province: OfficialProvince, *, official: str, legacy: str):
        if organizer is None:
            code = province.slug
            if Organizer.objects.filter(code=code).exists():
                code = f"{code}-{legacy or official}"
            organizer = Organizer.objects.create(
                code=code,
                name=province.organizer_name,
                level=Level.PROVINCE,
                province=province.province,
                division=province.division,
                place_name=province.province,
                office_name=province.office_name,
                official_code=official,
                legacy_code=legacy,
            )
            self.report["created"] += 1
            return organizer
        changed = []
        if official and organizer.official_code != official:
            organizer.official_code = official
            changed.append("official_code")
        if legacy and not organizer.legacy_code:
            organizer.legacy_code = legacy
            changed.append("legacy_code")
        if changed:
            organizer.save(update_fields=changed)
            self.report["coded"] += 1
        return organizer

    def _compare_names(self, organizer, province: OfficialProvince, rename_on, basis) -> None:
        """Names are never changed without a date: report the differences, or record them as a
        dated rename when --rename-on is given."""
        if organizer.division == province.division and fold(organizer.province) == fold(
            province.province
        ):
            return
        if rename_on is None:
            self.stdout.write(
                f"Khác danh mục: «{organizer.name}» — danh mục ghi «{province.name}». "
                "Chưa đổi (cần ngày hiệu lực và căn cứ: --rename-on, --rename-basis)."
            )
            return
        services.organizer_rename(
            organizer=organizer,
            effective_date=rename_on,
            basis=basis,
            name=province.organizer_name,
            office_name=province.office_name,
            province=province.province,
            division=province.division,
        )
        self.stdout.write(f"Đổi tên từ {rename_on:%d/%m/%Y}: «{province.organizer_name}».")


class _DryRun(Exception):
    pass
