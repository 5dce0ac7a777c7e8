"""The national texts on emulation and commendation that the demo years (2022–2026) cite.

Each record says where its dates were checked (`source`) and whether the effective date was
read in the published text itself (`verified`). Dates that could not be checked against the
original are marked so; office staff see them flagged on the «Căn cứ pháp lý» page and can
correct them there. Loading is idempotent (by number); an edited record is never overwritten.
"""

import datetime as dt

from django.db import migrations

D = dt.date

LAW_2003_END = (
    "Hết hiệu lực từ 01/01/2024 theo khoản 2 Điều 94 Luật Thi đua, khen thưởng số "
    "06/2022/QH15 (vi.wikisource.org, «Luật Thi đua, khen thưởng … 2022/Chương VIII»)."
)
OLD_CITATION = (
    "Số và ngày thông qua như trích dẫn trong Quyết định số 31/2020/QĐ-UBND ngày 26/10/2020 của "
    "UBND tỉnh Phú Yên (phapluatcongdong.vn)."
)

TEXTS = [
    {
        "kind": "law",
        "number": "15/2003/QH11",
        "title": "Luật Thi đua, khen thưởng",
        "issuer": "Quốc hội",
        "signed_on": D(2003, 11, 26),
        "effective_from": D(2004, 7, 1),
        "effective_until": D(2023, 12, 31),
        "position": 10,
        "verified": False,
        "source": f"{OLD_CITATION} {LAW_2003_END} Ngày có hiệu lực 01/7/2004 chưa đối chiếu được "
        "với văn bản gốc.",
    },
    {
        "kind": "law",
        "number": "47/2005/QH11",
        "title": "Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng",
        "issuer": "Quốc hội",
        "signed_on": D(2005, 6, 14),
        "effective_from": D(2006, 1, 1),
        "effective_until": D(2023, 12, 31),
        "position": 11,
        "verified": False,
        "source": f"{OLD_CITATION} {LAW_2003_END} Ngày có hiệu lực 01/01/2006 chưa đối chiếu "
        "được với văn bản gốc.",
    },
    {
        "kind": "law",
        "number": "39/2013/QH13",
        "title": "Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng",
        "issuer": "Quốc hội",
        "signed_on": D(2013, 11, 16),
        "effective_from": D(2014, 6, 1),
        "effective_until": D(2023, 12, 31),
        "position": 12,
        "verified": False,
        "source": f"{OLD_CITATION} {LAW_2003_END} Ngày có hiệu lực 01/6/2014 chưa đối chiếu được "
        "với văn bản gốc. (Luật số 32/2009/QH12 cũng sửa đổi Luật năm 2003 nhưng các văn bản "
        "trích dẫn đã đối chiếu không nêu; cán bộ có thể bổ sung.)",
    },
    {
        "kind": "decree",
        "number": "91/2017/NĐ-CP",
        "title": "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        "issuer": "Chính phủ",
        "signed_on": D(2017, 7, 31),
        "effective_from": D(2017, 9, 15),
        "effective_until": D(2023, 12, 31),
        "position": 20,
        "verified": False,
        "source": f"{OLD_CITATION} Được thay thế bởi Nghị định số 98/2023/NĐ-CP từ 01/01/2024 "
        "(hoivdap.com). Ngày có hiệu lực 15/9/2017 chưa đối chiếu được với văn bản gốc "
        "(không tìm thấy trong các nguồn đã lưu).",
    },
    {
        "kind": "circular",
        "number": "12/2019/TT-BNV",
        "title": "quy định chi tiết thi hành một số điều của Nghị định số 91/2017/NĐ-CP ngày 31 "
        "tháng 7 năm 2017 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi "
        "đua, khen thưởng",
        "issuer": "Bộ trưởng Bộ Nội vụ",
        "signed_on": D(2019, 11, 4),
        "effective_from": D(2020, 1, 1),
        "effective_until": D(2024, 2, 23),
        "position": 30,
        "verified": False,
        "source": f"{OLD_CITATION} Ngày có hiệu lực 01/01/2020 theo một bộ dữ liệu mã nguồn công "
        "khai (không chính thức), chưa đối chiếu được với văn bản gốc. Hết hiệu lực khi Thông tư "
        "số 01/2024/TT-BNV có hiệu lực.",
    },
    {
        "kind": "law",
        "number": "06/2022/QH15",
        "title": "Luật Thi đua, khen thưởng",
        "issuer": "Quốc hội",
        "signed_on": D(2022, 6, 15),
        "effective_from": D(2024, 1, 1),
        "effective_until": None,
        "position": 10,
        "verified": True,
        "source": "Điều 94 khoản 1: «Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2024» "
        "(vi.wikisource.org); ngày thông qua 15/6/2022 (stp.hanam.gov.vn, vietjack.me).",
    },
    {
        "kind": "decree",
        "number": "98/2023/NĐ-CP",
        "title": "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        "issuer": "Chính phủ",
        "signed_on": D(2023, 12, 31),
        "effective_from": D(2024, 1, 1),
        "effective_until": D(2025, 6, 30),
        "position": 20,
        "verified": True,
        "source": "Ban hành 31/12/2023, hiệu lực 01/01/2024 (hethongphapluat.com, Điều 114 "
        "Nghị định 98/2023/NĐ-CP; hoivdap.com). Được thay thế bởi Nghị định số 152/2025/NĐ-CP "
        "từ 01/7/2025.",
    },
    {
        "kind": "circular",
        "number": "01/2024/TT-BNV",
        "title": "quy định biện pháp thi hành Luật Thi đua, khen thưởng",
        "issuer": "Bộ trưởng Bộ Nội vụ",
        "signed_on": None,
        "effective_from": D(2024, 2, 24),
        "effective_until": D(2025, 8, 4),
        "position": 30,
        "verified": False,
        "source": "Ngày ban hành và ngày có hiệu lực chưa đối chiếu được: các nguồn không chính "
        "thức ghi khác nhau (01/02/2024; 24/02/2024), nên văn bản được trích dẫn không ghi ngày. "
        "Được thay thế bởi Thông tư số 15/2025/TT-BNV.",
    },
    {
        "kind": "decree",
        "number": "152/2025/NĐ-CP",
        "title": "quy định về phân cấp, phân quyền trong lĩnh vực thi đua, khen thưởng; quy "
        "định chi tiết và hướng dẫn thi hành một số điều của Luật Thi đua, khen thưởng",
        "issuer": "Chính phủ",
        "signed_on": D(2025, 6, 14),
        "effective_from": D(2025, 7, 1),
        "effective_until": None,
        "position": 20,
        "verified": False,
        "source": "Trích yếu theo baomoi.net.vn và thuvienphapluat.vn (trang Thông tư "
        "15/2025/TT-BNV); ngày ban hành 14/6/2025 theo bốn nguồn không chính thức thống nhất; "
        "hiệu lực từ 01/7/2025 (shared/DOMAIN.md). Chưa đọc được điều khoản hiệu lực trong văn "
        "bản gốc.",
    },
    {
        "kind": "circular",
        "number": "15/2025/TT-BNV",
        "title": "quy định biện pháp để tổ chức, hướng dẫn thi hành Luật Thi đua, khen thưởng và "
        "Nghị định số 152/2025/NĐ-CP",
        "issuer": "Bộ trưởng Bộ Nội vụ",
        "signed_on": D(2025, 8, 4),
        "effective_from": D(2025, 8, 5),
        "effective_until": None,
        "position": 30,
        "verified": False,
        "source": "Ban hành 04/8/2025, người ký Phạm Thị Thanh Trà (thuvienphapluat.vn). Ngày có "
        "hiệu lực 05/8/2025 theo một nguồn không chính thức; trang thuvienphapluat.vn không hiển "
        "thị ngày hiệu lực.",
    },
]

REPLACES = {
    "98/2023/NĐ-CP": "91/2017/NĐ-CP",
    "01/2024/TT-BNV": "12/2019/TT-BNV",
    "152/2025/NĐ-CP": "98/2023/NĐ-CP",
    "15/2025/TT-BNV": "01/2024/TT-BNV",
    "06/2022/QH15": "15/2003/QH11",
}


def ship(apps, schema_editor):
    LegalText = apps.get_model("legal", "LegalText")
    by_number = {}
    for entry in TEXTS:
        text, _ = LegalText.objects.get_or_create(
            number=entry["number"], organizer=None, defaults=entry
        )
        by_number[text.number] = text
    for new, old in REPLACES.items():
        text = by_number[new]
        if text.replaces_id is None:
            text.replaces = by_number[old]
            text.save(update_fields=["replaces"])


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
