"""The award titles the law defines (DOMAIN.md), loaded idempotently by code.

The office can add its own titles (AwardTitle.organizer set) and correct the basis text in the
admin; loading again only fills titles that are missing, it never overwrites an edited one.
Article numbers are left for the office to add: the texts below name the documents only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15 (hiệu lực 01/01/2024)"
DECREE = "Nghị định 152/2025/NĐ-CP (từ 01/07/2025, thay Nghị định 98/2023/NĐ-CP); Thông tư 15/2025/TT-BNV"
PRIZE_BASIS = "Nghị định 152/2025/NĐ-CP: mức tiền thưởng × mức lương cơ sở"

LEGAL_TITLES: list[dict] = [
    {
        "code": "co-thi-dua-chinh-phu",
        "name": "Cờ thi đua của Chính phủ",
        "short_name": "Cờ thi đua Chính phủ",
        "kind": "title",
        "level": "central",
        "recipient": "collective",
        "voting_required": True,
        "prize_coefficient": Decimal("12.0"),
        "rank": 10,
    },
    {
        "code": "bang-khen-thu-tuong",
        "name": "Bằng khen của Thủ tướng Chính phủ",
        "short_name": "Bằng khen Thủ tướng",
        "kind": "form",
        "level": "central",
        "recipient": "both",
        "voting_required": False,
        "prize_coefficient": Decimal("7.0"),
        "prize_note": " (mức cho tập thể)",
        "rank": 20,
    },
    {
        "code": "co-thi-dua-ubnd-tinh",
        "name": "Cờ thi đua của UBND tỉnh",
        "short_name": "Cờ thi đua tỉnh",
        "kind": "title",
        "level": "province",
        "recipient": "collective",
        "voting_required": True,
        "prize_coefficient": Decimal("8.0"),
        "rank": 30,
    },
    {
        "code": "bang-khen-chu-tich-ubnd-tinh",
        "name": "Bằng khen của Chủ tịch UBND tỉnh",
        "short_name": "Bằng khen tỉnh",
        "kind": "form",
        "level": "province",
        "recipient": "both",
        "voting_required": False,
        "prize_coefficient": Decimal("3.0"),
        "prize_note": " (mức cho tập thể)",
        "rank": 40,
    },
    {
        "code": "tap-the-lao-dong-xuat-sac",
        "name": "Tập thể lao động xuất sắc",
        "short_name": "TTLĐ xuất sắc",
        "kind": "title",
        "level": "province",
        "recipient": "collective",
        "voting_required": False,
        "prize_coefficient": Decimal("1.5"),
        "rank": 50,
    },
    {
        "code": "tap-the-lao-dong-tien-tien",
        "name": "Tập thể lao động tiên tiến",
        "short_name": "TTLĐ tiên tiến",
        "kind": "title",
        "level": "province",
        "recipient": "collective",
        "voting_required": False,
        "prize_coefficient": Decimal("0.8"),
        "rank": 60,
    },
]


def legal_title_defaults(entry: dict) -> dict:
    fields = {k: v for k, v in entry.items() if k not in ("code", "prize_note")}
    fields["legal_basis"] = f"{LAW}; {DECREE}"
    fields["prize_basis"] = PRIZE_BASIS + entry.get("prize_note", "")
    fields["effective_from"] = dt.date(2024, 1, 1)
    return fields


def ensure_catalog(AwardTitle=None) -> int:  # noqa: N803 - a model class, also a historical one
    """Create the legal titles that are missing. Returns how many were created."""
    if AwardTitle is None:
        from .models import AwardTitle
    created = 0
    for entry in LEGAL_TITLES:
        _, was_created = AwardTitle.objects.get_or_create(
            code=entry["code"], defaults=legal_title_defaults(entry)
        )
        created += was_created
    return created
