"""Vote-count minutes, paper ballots, covenant, report and tờ trình, from real data."""

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


def _flat(pdf: bytes) -> str:
    return " ".join(pdftools.text(pdf).split())


def test_the_vote_count_minutes_carry_the_counts_and_the_committee_signatures(full_meeting):
    poll = Poll.objects.filter(meeting=full_meeting, kind="award").order_by("pk").first()
    text = _flat(services.draft_pdf("count_minutes", poll))
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    assert "Hoàng Văn Nam, Trưởng ban" in text
    assert (
        "Số phiếu phát ra: 7; số phiếu thu về: 7; số phiếu hợp lệ: 7; số phiếu không hợp lệ: 0"
        in text
    )
    assert "BAN KIỂM PHIẾU" in text and "TRƯỞNG BAN" in text
    assert "ngày 05 tháng 12 năm 2024" in text


def test_paper_ballots_are_one_per_voter_several_to_a_page(full_meeting):
    snapshot = services.draft_snapshot("ballots", full_meeting)
    polls = Poll.objects.filter(meeting=full_meeting).exclude(kind="motion")
    assert len(snapshot["ballots"]) == 7 * polls.count()
    pdf = services.draft_pdf("ballots", full_meeting)
    text = pdftools.text(pdf)
    assert text.count("PHIẾU BẦU") == len(snapshot["ballots"])
    # Identical ballots: no serial number that could be traced to the unit that received it.
    assert "Phiếu số" not in text and "01/07" not in text
    assert "chọn không quá 2 đơn vị" in text
    assert pdftools.page_count(pdf) <= len(snapshot["ballots"]) // 3 + 1
    assert "(A4)" in pdftools.info(pdf)["Page size"]


def test_the_covenant_prints_its_targets_and_one_signature_block_per_member_unit(world):
    import datetime as dt

    from awards.models import Covenant, CovenantSignature, CovenantTarget

    covenant = Covenant.objects.create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2024",
        content="Các đơn vị thống nhất ký kết giao ước thi đua năm 2024.",
    )
    CovenantTarget.objects.create(
        covenant=covenant, position=1, text="Hoàn thành 100% chỉ tiêu, nhiệm vụ được giao"
    )
    CovenantTarget.objects.create(
        covenant=covenant,
        position=2,
        text="Tỷ lệ giải quyết đơn thư",
        measurable=True,
        target_value=95,
        measure_unit="%",
    )
    CovenantSignature.objects.create(
        covenant=covenant,
        unit=world.units[0],
        representative_name="Nguyễn Thị Hạnh",
        representative_position="Giám đốc",
        signed_on=dt.date(2024, 2, 3),
    )
    text = _flat(services.draft_pdf("covenant", world.bloc_year))
    assert "BẢN GIAO ƯỚC THI ĐUA" in text and "Giao ước thi đua năm 2024" in text
    assert "1. Hoàn thành 100% chỉ tiêu, nhiệm vụ được giao" in text
    assert "2. Tỷ lệ giải quyết đơn thư (chỉ tiêu: 95 %)" in text
    assert "ngày 03 tháng 02 năm 2024" in text
    assert "Nguyễn Thị Hạnh" in text
    for membership in world.bloc_year.memberships.select_related("unit"):
        assert membership.unit.name.upper() in text


def test_the_report_and_the_proposal_list_the_awards_proposed_at_the_meeting(full_meeting, world):
    report = _flat(services.draft_pdf("report", world.bloc_year))
    assert "BÁO CÁO" in report and "Kết quả chấm điểm, bình xét thi đua năm 2024" in report
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in report
    proposal_pdf = services.draft_pdf("proposal", world.bloc_year)
    proposal = _flat(proposal_pdf)
    assert "TỜ TRÌNH" in proposal and f"Kính gửi: {world.organizer.office_name}" in proposal
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in proposal
    assert "Nơi nhận:" in proposal and "Lưu: VT" in proposal
    assert all(f["emb"] == "yes" for f in pdftools.fonts(proposal_pdf))


def test_the_proposal_exports_to_docx(full_meeting, world):
    doc = Document(
        io.BytesIO(
            docx_export.to_docx("proposal", services.draft_snapshot("proposal", world.bloc_year))
        )
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].cell(0, 1).text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "TỜ TRÌNH" in body and "Kính gửi:" in body
    assert any("Cờ thi đua của Ủy ban nhân dân tỉnh" in p.text for p in doc.paragraphs)
    assert "Nơi nhận:" in doc.tables[-1].cell(0, 0).text


def _docx_words(kind: str, subject) -> list[str]:
    from .test_demo_documents import docx_text, words

    return words(docx_text(kind, subject))


def test_the_covenant_and_the_counted_count_minutes_say_the_same_in_docx_and_pdf(
    full_meeting, world
):
    from collections import Counter

    from .test_demo_documents import HEADERS, words

    test_the_covenant_prints_its_targets_and_one_signature_block_per_member_unit(world)
    poll = Poll.objects.filter(meeting=full_meeting, kind="award").order_by("pk").first()
    import re

    def plain(tokens):  # the 64-hex seal digest wraps across lines in the PDF
        return Counter(t for t in tokens if not re.fullmatch(r"[0-9a-f]{8,}", t))

    for kind, subject in (("covenant", world.bloc_year), ("count_minutes", poll)):
        pdf = plain(words(pdftools.text(services.draft_pdf(kind, subject))))
        docx = plain(_docx_words(kind, subject))
        assert not docx - pdf, kind
        assert set(pdf - docx) <= HEADERS, kind
    from .test_demo_documents import docx_text

    assert poll.seal_digest in docx_text("count_minutes", poll)
    covenant = docx_text("covenant", world.bloc_year)
    assert "2. Tỷ lệ giải quyết đơn thư (chỉ tiêu: 95 %)" in covenant
    assert "GIÁM ĐỐC\n\n\n\n\nNguyễn Thị Hạnh" in covenant  # chức vụ, space, họ tên


def test_the_report_docx_carries_the_ranking_chart_of_its_scores(world):
    snap = services.draft_snapshot("report", world.bloc_year)
    plain = Document(io.BytesIO(docx_export.to_docx("report", snap)))
    assert len(plain.inline_shapes) == 0  # no ranking yet: no chart, as in the PDF
    units = [s["unit"] for s in snap["scores"]][:3]
    snap["scores"] = [
        {
            "no": i,
            "unit": u,
            "main": "90,00",
            "bonus": "1,00",
            "score": f"{95 - i},00",
            "rank": str(i),
        }
        for i, u in enumerate(units, 1)
    ]
    doc = Document(io.BytesIO(docx_export.to_docx("report", snap)))
    assert len(doc.inline_shapes) == 1
    cells = [c.text for row in doc.tables[1].rows for c in row.cells]
    assert units[0] in cells and "94,00" in cells


def test_a_committee_members_title_equal_to_the_role_is_printed_once(full_meeting):
    """«Hoàng Văn Nam, Trưởng ban» signs under TRƯỞNG BAN, not TRƯỞNG BAN / TRƯỞNG BAN."""
    from .test_demo_documents import docx_text

    poll = Poll.objects.filter(meeting=full_meeting, kind="award").order_by("pk").first()
    pdf = pdftools.text(services.draft_pdf("count_minutes", poll))
    docx = docx_text("count_minutes", poll)
    for text in (pdf, docx):
        assert text.count("TRƯỞNG BAN") == 1 and text.count("THÀNH VIÊN") == 2
        assert "Hoàng Văn Nam" in text.split("TRƯỞNG BAN")[-1]
