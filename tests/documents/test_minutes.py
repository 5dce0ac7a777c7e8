"""The biên bản hội nghị from real meeting data: attendance, agenda, polls, decisions."""

import io

import pytest
from docx import Document

from documents import docx_export, services
from meetings.models import Poll
from tests.sample_meeting import make_meeting

from . import pdftools


@pytest.fixture
def full_meeting(world):
    return make_meeting(world.bloc_year)


def test_the_minutes_record_everything_the_meeting_decided(full_meeting, world):
    pdf = services.draft_pdf("minutes", full_meeting)
    text = " ".join(pdftools.text(pdf).split())
    units = sorted(
        (m.unit for m in world.bloc_year.memberships.select_related("unit")), key=lambda u: u.name
    )
    assert "Vào hồi 08 giờ 00 phút, ngày 05/12/2024" in text
    assert "Đồng chí Nguyễn Văn Hùng, Chánh án" in text
    assert "Thư ký hội nghị: Đồng chí Lê Minh Đức" in text
    assert "Phạm Thị Hồng, Phó Chủ tịch UBND tỉnh" in text and "không tham gia biểu quyết" in text
    assert "yêu cầu tối thiểu 6/8 đơn vị thành viên" in text and "có mặt 7 đơn vị, vắng 1" in text
    assert "Bận công tác đột xuất" in text
    assert "đủ túc số" in text
    assert "Báo cáo tổng kết công tác thi đua, khen thưởng năm" in text
    assert "Bỏ phiếu kín điện tử" in text
    assert "trên 1/2 số phiếu hợp lệ" in text
    assert "Số phiếu phát ra: 7; số phiếu thu về: 7; số phiếu hợp lệ: 7" in text
    assert f"Được suy tôn: {units[0].name}" in text
    assert "Đạt" in text
    for poll in Poll.objects.filter(meeting=full_meeting):
        assert poll.seal_digest[:40] in text.replace(" ", "")
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in text
    assert "Khối trưởng năm 2025" in text
    assert "Tán thành: 5; không tán thành: 0; không ý kiến: 2" in text
    assert "Hội nghị kết thúc vào 11 giờ 30 phút" in text
    assert "đọc lại cho toàn thể hội nghị nghe và nhất trí thông qua" in text
    last = pdftools.text(pdf, first=pdftools.page_count(pdf))
    assert "THƯ KÝ" in last and "CHỦ TRÌ HỘI NGHỊ" in last, (
        "the signatures are never on a page of their own without text"
    )
    assert "Lê Minh Đức" in last and "Nguyễn Văn Hùng" in last


def test_the_minutes_export_to_docx_with_the_same_layout(full_meeting):
    data = docx_export.to_docx("minutes", services.draft_snapshot("minutes", full_meeting))
    doc = Document(io.BytesIO(data))
    header = doc.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in header.cell(0, 1).text
    assert "KHỐI THI ĐUA" in header.cell(0, 0).text.upper()
    assert "ngày 05 tháng 12 năm 2024" in header.cell(1, 1).text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "BIÊN BẢN" in body and "Hội nghị kết thúc vào 11 giờ 30 phút" in body
    signatures = doc.tables[-2]
    assert (
        "THƯ KÝ" in signatures.cell(0, 0).text and "CHỦ TRÌ HỘI NGHỊ" in signatures.cell(0, 1).text
    )
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30


def test_a_proposal_of_december_2025_cites_decree_152_and_the_head_recorded_that_day(world):
    """After 01/07/2025 the tờ trình cites NĐ 152/2025 (and TT 15/2025 from 05/08/2025), not
    NĐ 98/2023; the signer is the leader unit's head recorded for that date."""
    import datetime as dt

    from django.utils import timezone

    from legal.demo import ship_texts
    from legal.services import unit_head_add
    from meetings.models import Meeting

    ship_texts()
    Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2025, 12, 5, 8, 0)),
    )
    leader = world.units[0]
    unit_head_add(
        unit=leader, title="Giám đốc", full_name="Trần Văn Cũ", valid_until=dt.date(2025, 9, 30)
    )
    unit_head_add(
        unit=leader, title="Giám đốc", full_name="Phạm Thị Mới", valid_from=dt.date(2025, 10, 1)
    )
    text = " ".join(pdftools.text(services.draft_pdf("proposal", world.bloc_year)).split())
    assert "ngày 05 tháng 12 năm 2025" in text
    assert "Luật Thi đua, khen thưởng số 06/2022/QH15" in text
    assert "Nghị định số 152/2025/NĐ-CP" in text and "15/2025/TT-BNV" in text
    assert "98/2023/NĐ-CP" not in text and "01/2024/TT-BNV" not in text
    assert "Phạm Thị Mới" in text and "Trần Văn Cũ" not in text
    assert "GIÁM ĐỐC" in text
