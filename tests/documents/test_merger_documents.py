"""Golden test of the issuing body and the titles after the 2025 reorganisation, read from the
real PDFs (pdftotext -layout): Sóc Trăng merged into Cần Thơ on 01/07/2025, and «Cục Thi hành
án dân sự tỉnh» became «Thi hành án dân sự tỉnh» on 01/03/2025 with a head of a new title."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from blocs import names
from blocs.models import BlocYear, LeadershipTerm, UnitName
from documents import services
from legal.demo import ship_texts
from legal.services import unit_head_add
from meetings.models import Attendance, Meeting
from tests.factories import BlocFactory, UnitFactory, can_tho_with_soc_trang, make_bloc_year

from . import pdftools

MERGER = dt.date(2025, 7, 1)
RENAMED = dt.date(2025, 3, 1)


@pytest.fixture
def soc_trang(db):
    ship_texts()
    can_tho, st = can_tho_with_soc_trang(MERGER)
    bloc = BlocFactory(organizer=st, name="Khối thi đua Nội chính tỉnh Sóc Trăng", short_name="KNC")
    thads = UnitFactory(organizer=st, name="Thi hành án dân sự tỉnh", head_title="")
    UnitName.objects.create(unit=thads, name="Cục Thi hành án dân sự tỉnh", valid_until=RENAMED)
    unit_head_add(
        unit=thads,
        title="Cục trưởng",
        full_name="Lâm Văn Hòa",
        valid_until=RENAMED - dt.timedelta(1),
    )
    unit_head_add(
        unit=thads,
        title="Trưởng Thi hành án dân sự tỉnh",
        full_name="Lâm Văn Hòa",
        valid_from=RENAMED,
    )
    years = {}
    for year in (2024, 2025):
        by = make_bloc_year(5, year=year, bloc=bloc)
        by.memberships.create(unit=thads)
        LeadershipTerm.objects.create(
            bloc_year=by, role="leader", unit=thads, method="appointed", status="confirmed"
        )
        years[year] = by
    return years[2024], years[2025], thads


def _meeting(bloc_year: BlocYear, day: dt.date, thads) -> Meeting:
    meeting = Meeting.objects.create(
        bloc_year=bloc_year,
        kind="yearend",
        title=f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {bloc_year.year}",
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))),
        ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0))),
        place="Hội trường Thi hành án dân sự tỉnh",
        host_unit=thads,
        chairs="Lâm Văn Hòa, Trưởng Thi hành án dân sự tỉnh",
        secretary_name="Trần Thị Thu, Chánh Văn phòng",
    )
    for m in bloc_year.memberships.all():
        Attendance.objects.create(meeting=meeting, unit_id=m.unit_id, status="present")
    return meeting


def _lines(pdf: bytes) -> list[str]:
    return [" ".join(line.split()) for line in pdftools.text(pdf, layout=True).splitlines()]


def test_minutes_of_december_2025_are_issued_under_can_tho_with_the_units_name_of_that_day(
    soc_trang,
):
    _, year_2025, thads = soc_trang
    day = dt.date(2025, 12, 5)
    acting = names.organizer_on(year_2025.bloc.organizer, day)
    assert acting.issuer == "UBND THÀNH PHỐ CẦN THƠ"
    meeting = _meeting(year_2025, day, thads)
    pdf = services.draft_pdf("minutes", meeting)
    text = pdftools.text(pdf, layout=True)
    lines = _lines(pdf)
    # The issuing body's line of the header (left column of the first line).
    assert lines[0].startswith("UBND THÀNH PHỐ CẦN THƠ")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines[0]  # the Quốc hiệu on one line
    assert "SÓC TRĂNG" not in lines[0] and "UBND TỈNH SÓC TRĂNG" not in text
    assert lines[1].startswith("KHỐI THI ĐUA NỘI CHÍNH")  # the bloc keeps its own name
    assert "Cần Thơ, ngày 05 tháng 12 năm 2025" in " ".join(lines)
    assert "Sở Nội vụ thành phố Cần Thơ" in text  # Nơi nhận: the successor's office
    flat = " ".join(text.split())
    assert "Thi hành án dân sự tỉnh" in flat and "Cục Thi hành án" not in flat
    snap = services.draft_snapshot("minutes", meeting)
    assert snap["issuer"] == {
        "parent": "UBND THÀNH PHỐ CẦN THƠ",
        "name": "KHỐI THI ĐUA NỘI CHÍNH TỈNH SÓC TRĂNG",
    }
    assert snap["place"] == "Cần Thơ"


def test_before_the_merger_the_same_bloc_issues_under_soc_trang(soc_trang):
    _, year_2025, thads = soc_trang
    meeting = _meeting(year_2025, dt.date(2025, 6, 20), thads)
    lines = _lines(services.draft_pdf("minutes", meeting))
    assert lines[0].startswith("UBND TỈNH SÓC TRĂNG")
    assert "Sóc Trăng, ngày 20 tháng 6 năm 2025" in " ".join(lines)


def test_the_leader_units_head_signs_with_the_title_of_the_documents_date(soc_trang):
    year_2024, year_2025, thads = soc_trang
    _meeting(year_2024, dt.date(2024, 12, 10), thads)
    _meeting(year_2025, dt.date(2025, 12, 5), thads)
    for kind in ("report", "proposal"):
        text = pdftools.text(services.draft_pdf(kind, year_2025), layout=True)
        flat = " ".join(text.split())
        tail = flat.split("KHỐI TRƯỞNG")[-1]
        assert "TRƯỞNG THI HÀNH ÁN DÂN SỰ TỈNH" in tail and "Lâm Văn Hòa" in tail, kind
        assert "CỤC TRƯỞNG" not in flat, kind
        assert "UBND THÀNH PHỐ CẦN THƠ" in flat and "UBND TỈNH SÓC TRĂNG" not in flat, kind
        assert "Nghị định số 152/2025/NĐ-CP" in flat, kind
    proposal = " ".join(pdftools.text(services.draft_pdf("proposal", year_2025)).split())
    assert "Kính gửi: Sở Nội vụ thành phố Cần Thơ" in proposal
    # The year before, under its old name, the same person signed as Cục trưởng.
    old = " ".join(pdftools.text(services.draft_pdf("report", year_2024)).split())
    assert "CỤC TRƯỞNG" in old.split("KHỐI TRƯỞNG")[-1] and "UBND TỈNH SÓC TRĂNG" in old


def test_an_unsigned_unit_of_a_2025_covenant_shows_its_head_under_the_new_title(soc_trang):
    from awards.models import Covenant, CovenantSignature, CovenantTarget

    _, year_2025, thads = soc_trang
    covenant = Covenant.objects.create(bloc_year=year_2025, title="Giao ước thi đua năm 2025")
    CovenantTarget.objects.create(covenant=covenant, text="Hoàn thành 100% chỉ tiêu được giao")
    other = year_2025.memberships.exclude(unit=thads).first().unit
    CovenantSignature.objects.create(
        covenant=covenant,
        unit=other,
        representative_name="Võ Minh Khang",
        representative_position="Giám đốc",
        signed_on=dt.date(2025, 9, 1),
    )
    text = " ".join(pdftools.text(services.draft_pdf("covenant", year_2025)).split())
    assert "UBND THÀNH PHỐ CẦN THƠ" in text and "Cần Thơ, ngày 01 tháng 9 năm 2025" in text
    assert "TRƯỞNG THI HÀNH ÁN DÂN SỰ TỈNH" in text and "Lâm Văn Hòa" in text
    assert "CỤC TRƯỞNG" not in text and "CỤC THI HÀNH ÁN" not in text
    snap = services.draft_snapshot("covenant", year_2025)
    block = next(u for u in snap["units"] if u["sign_role"] == f"unit-{thads.pk}")
    assert (block["roles"], block["title"], block["name"], block["signed"]) == (
        ["THI HÀNH ÁN DÂN SỰ TỈNH"],
        "Trưởng Thi hành án dân sự tỉnh",
        "Lâm Văn Hòa",
        False,
    )
