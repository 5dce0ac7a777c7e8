"""The official province lists, from the `vietnam-provinces` package (National Statistics Office).

What the package ships, and what is used here:
- `vietnam_provinces.Province`: the 34 provinces and centrally-run cities from 01/07/2025, with
  their official codes (`code`), names («Tỉnh Tuyên Quang», «Thành phố Cần Thơ») and division type;
- `vietnam_provinces.legacy.Province`: the 63 provinces before that date, with their old codes;
- `vietnam_provinces._province_conversion_2025.OLD_TO_NEW`: old → new provinces, effective
  2025-07-01 (derived from the ward conversion table; an old province whose wards went to two
  new ones lists both, and its successor is the one that received most of its wards).

`official_lists()` turns them into plain values; `load_provinces` (management command) applies them
to the organizers: official and legacy codes, and the 2025 mergers as merger proposals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.utils.text import slugify

from .models import Division

EFFECTIVE_DATE = dt.date(2025, 7, 1)
BASIS = (
    "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội về sắp xếp đơn vị hành chính cấp tỉnh"
)
_PREFIX = re.compile(r"^(tỉnh|thành phố)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class OfficialProvince:
    code: str  # two digits, e.g. "08"
    name: str  # «Tỉnh Tuyên Quang» as the list writes it
    province: str  # «Tuyên Quang»
    division: str  # Division value

    @property
    def slug(self) -> str:
        return slugify(self.province.replace("đ", "d").replace("Đ", "D"))

    @property
    def organizer_name(self) -> str:
        return f"UBND {Division(self.division).label} {self.province}"

    @property
    def office_name(self) -> str:
        return f"Sở Nội vụ {Division(self.division).label} {self.province}"


@dataclass(frozen=True)
class OfficialLists:
    current: dict[str, OfficialProvince]  # 34, by official code
    legacy: dict[str, OfficialProvince]  # 63, by legacy code
    successor: dict[str, str]  # legacy code → official code (from 01/07/2025)
    continues: dict[str, str]  # official code → the legacy code of the same province

    def merged(self) -> list[tuple[OfficialProvince, OfficialProvince]]:
        """(old, new) for every legacy province that merged into another, by old code."""
        out = []
        for old_code, new_code in sorted(self.successor.items()):
            if self.continues.get(new_code) != old_code:
                out.append((self.legacy[old_code], self.current[new_code]))
        return out


def _entry(p) -> OfficialProvince:
    division = Division.CITY if "thành phố" in str(p.division_type) else Division.PROVINCE
    province = _PREFIX.sub("", p.name).strip()
    return OfficialProvince(f"{int(p.code):02d}", p.name, province, division)


def _same_place(a: str, b: str) -> bool:
    from .matching import fold

    return fold(a) == fold(b)


def official_lists() -> OfficialLists:
    from vietnam_provinces import Province
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW
    from vietnam_provinces.legacy import Province as LegacyProvince

    current = {e.code: e for e in map(_entry, Province.iter_all())}
    legacy = {e.code: e for e in map(_entry, LegacyProvince.iter_all())}
    successor: dict[str, str] = {}
    split = {old for old, entry in OLD_TO_NEW.items() if len(entry.new_provinces) > 1}
    wards = _ward_shares(split) if split else {}
    for old, entry in OLD_TO_NEW.items():
        news = [f"{int(n.code):02d}" for n in entry.new_provinces]
        if len(news) > 1:
            news = [f"{wards[old].most_common(1)[0][0]:02d}"]
        successor[f"{int(old):02d}"] = news[0]
    continues = {}
    for old_code, new_code in successor.items():
        if _same_place(legacy[old_code].province, current[new_code].province):
            continues[new_code] = old_code
    return OfficialLists(current, legacy, successor, continues)


def _ward_shares(old_codes: set[int]) -> dict[int, Counter]:
    """For old provinces whose wards went to several new ones: wards received by each."""
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARDS

    shares: dict[int, Counter] = {code: Counter() for code in old_codes}
    for entry in WARDS.values():
        old = entry.old_ward.province_code
        if old in shares:
            for new in entry.new_wards:
                shares[old][new.province_code] += 1 / len(entry.new_wards)
    return shares
