"""Every document of the five seed meetings, read the way a clerk reads it (pdftotext -layout,
python-docx): the legal basis of the document's own date, people above the signatures, an
honest quorum sentence, the counts, no app-internal text, and finalize refusing what a signed
document cannot leave blank."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from docx import Document

from blocs.models import BlocYear
from documents import docx_export, services
from documents.models import DocumentVersion
from meetings.models import Meeting

from . import pdftools

INTERNAL = (
    "chỉ ghi nhận kết quả",
    "không có số phiếu",
    "số phiếu không được báo cáo",
    "Bản tin",
    "bản tin",
    "seed",
    "Kết quả ghi nhận theo",
)
ENGLISH = re.compile(r"\b(None|True|False|the|minutes|result|tally|poll|draft)\b")


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, in a transaction rolled back at its end; each test
    runs in its own savepoint inside it (the `db` fixture), so what a test writes is undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_once, db):
    return None


def meeting(org: str) -> Meeting:
    return Meeting.objects.get(bloc_year__bloc__organizer__code=org)


def bloc_year(org: str, year: int) -> BlocYear:
    return BlocYear.objects.get(bloc__organizer__code=org, year=year)


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(kind: str, subject) -> str:
    return pdftools.text(services.draft_pdf(kind, subject), layout=True)


def docx_text(kind: str, subject) -> str:
    doc = Document(io.BytesIO(docx_export.to_docx(kind, services.draft_snapshot(kind, subject))))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


def test_a_proposal_of_january_2023_cites_the_2003_law_and_its_decree_not_later_texts(demo):
    tay_ninh = bloc_year("tay-ninh", 2022)  # tờ trình dated 09/01/2023 (the year-end meeting)
    for text in (flat(pdf_text("proposal", tay_ninh)), flat(docx_text("proposal", tay_ninh))):
        assert "ngày 09 tháng 01 năm 2023" in text
        assert "Căn cứ Luật Thi đua, khen thưởng số 15/2003/QH11" in text
        assert "47/2005/QH11" in text and "39/2013/QH13" in text
        assert "Nghị định số 91/2017/NĐ-CP" in text and "12/2019/TT-BNV" in text
        for later in ("06/2022/QH15", "98/2023/NĐ-CP", "152/2025/NĐ-CP", "01/2024/TT-BNV"):
            assert later not in text, f"{later} was not in force on 09/01/2023"
        assert "xem xét, trình cấp có thẩm quyền quyết định khen thưởng" in text


def test_a_report_of_april_2024_cites_the_2022_law_and_decree_98(demo):
    central = bloc_year("trung-uong", 2023)  # dated 10/04/2024
    text = flat(pdf_text("report", central))
    assert "Luật Thi đua, khen thưởng số 06/2022/QH15" in text
    assert "Nghị định số 98/2023/NĐ-CP" in text and "01/2024/TT-BNV" in text
    for other in ("15/2003/QH11", "91/2017/NĐ-CP", "152/2025/NĐ-CP"):
        assert other not in text
    bac_ninh = flat(pdf_text("report", bloc_year("bac-ninh", 2023)))  # 21/11/2023
    assert "15/2003/QH11" in bac_ninh and "06/2022/QH15" not in bac_ninh


def test_a_person_signs_for_the_bloc_and_a_missing_one_blocks_finalize(demo):
    text = pdf_text("report", bloc_year("bac-ninh", 2023))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    role = next(i for i, line in enumerate(lines) if line.endswith("KHỐI TRƯỞNG"))
    assert "CHÁNH THANH TRA TỈNH" in lines[role + 1]
    assert lines[-1] == "Trần Quang Ứng", "the name line is a person, never the unit"
    tay_ninh = bloc_year("tay-ninh", 2022)  # nobody recorded for the leader unit that year
    proposal = pdf_text("proposal", tay_ninh)
    assert "Công an tỉnh" not in proposal.split("KHỐI TRƯỞNG")[-1]
    with pytest.raises(ValidationError, match=r"Người ký \(Khối trưởng năm 2022"):
        services.document_finalize(kind="proposal", subject=tay_ninh)
    assert not DocumentVersion.objects.exists()


def test_the_quorum_sentence_never_counts_unrecorded_units_as_absent(demo):
    bac_ninh = flat(pdf_text("minutes", meeting("bac-ninh")))
    assert "có mặt 3 đơn vị, 5 đơn vị chưa ghi nhận điểm danh" in bac_ninh
    assert "không đủ túc số" not in bac_ninh and "Vắng" not in bac_ninh
    assert "Nội dung được thông qua" in bac_ninh
    central = flat(pdf_text("minutes", meeting("trung-uong")))
    assert "có mặt 8 đơn vị. Hội nghị đủ túc số." in central
    assert "có mặt 8 đơn vị. Hội nghị đủ túc số." in flat(
        docx_text("minutes", meeting("trung-uong"))
    )


def test_reported_votes_print_their_outcome_in_a_clerks_words_in_pdf_and_docx(demo):
    central = meeting("trung-uong")
    for text in (flat(pdf_text("minutes", central)), flat(docx_text("minutes", central))):
        assert "Số phiếu" not in text, "no count was reported: no count is printed"
        assert "Được suy tôn: Kiểm toán nhà nước; Bộ Quốc phòng." in text
        assert "Trúng cử: Tòa án nhân dân tối cao." in text  # an election
        assert "Trúng cử: Kiểm toán" not in text  # an honour vote is not an election
        assert "Hình thức: Biểu quyết tại hội nghị." in text
        assert "tại Trụ sở Kiểm toán nhà nước" in text  # the host unit gives the place
        # The covenant signed at the meeting, who signed it.
        assert "Ký kết giao ước thi đua năm 2024" in text
        assert "Nguyễn Thanh Tịnh, Thứ trưởng Bộ Tư pháp" in text
        # Guests whose "name" is a role are not "Đồng chí Đại diện".
        assert "Đồng chí Đại diện" not in text and "Đại diện Vụ Thi đua" in text
        assert "Nơi nhận:" in text and "Lưu: VT" in text


def test_no_document_of_any_demo_meeting_or_year_holds_internal_or_english_text(demo):
    subjects = []
    for m in Meeting.objects.all():
        subjects += [("minutes", m), ("ballots", m), ("invitation", m)]
        subjects += [("count_minutes", p) for p in m.polls.all()]
    for by in BlocYear.objects.filter(meetings__isnull=False).distinct():
        subjects += [("covenant", by), ("report", by), ("proposal", by)]
    for kind, subject in subjects:
        pdf = services.draft_pdf(kind, subject)
        text = pdftools.text(pdf, layout=True)
        for phrase in INTERNAL:
            assert phrase not in text, (kind, subject, phrase)
        assert not ENGLISH.search(text), (kind, subject, ENGLISH.search(text))
        assert all(f["emb"] == "yes" for f in pdftools.fonts(pdf)), (kind, subject)
        if kind in ("minutes", "proposal", "report", "invitation"):
            last = pdftools.text(pdf, first=pdftools.page_count(pdf))
            snap = services.draft_snapshot(kind, subject)
            signature_words = {"Nơi nhận:", "(Ký, ghi rõ họ tên)"}
            for b in snap["signatures"]:
                signature_words |= {*b["roles"], b["title"].upper(), b["name"]}
            signature_words |= {f"- {r};" for r in snap["recipients"]}
            signature_words |= {f"- {r}." for r in snap["recipients"]}
            body = [
                line.strip()
                for line in last.splitlines()
                if line.strip()
                and line.strip() not in signature_words
                and not line.strip().isdigit()
                and not any(line.strip() in w for w in signature_words)
            ]
            assert body, f"{kind} {subject}: a page holds only the signature block"


def test_finalize_lists_what_is_missing_and_refuses_an_open_poll_or_an_empty_covenant(demo):
    bac_ninh = meeting("bac-ninh")
    with pytest.raises(ValidationError) as refused:
        services.document_finalize(kind="minutes", subject=bac_ninh)
    message = refused.value.messages[0]
    assert "Thư ký hội nghị" in message and "Giờ kết thúc hội nghị" in message
    assert "Địa điểm hội nghị" in message
    poll = bac_ninh.polls.get()
    poll.status = "open"
    poll.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        services.document_finalize(kind="minutes", subject=bac_ninh)
    with pytest.raises(ValidationError, match="chưa có nội dung, chỉ tiêu"):
        services.document_finalize(kind="covenant", subject=bloc_year("trung-uong", 2024))
    with pytest.raises(ValidationError, match="Chưa có bản giao ước năm 2023"):
        services.document_finalize(kind="covenant", subject=bloc_year("trung-uong", 2023))
    assert not DocumentVersion.objects.exists()


def test_the_confirmation_shows_what_is_missing_and_offers_no_lock_button(client, demo):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri-test", password="x")
    client.force_login(admin)
    bac_ninh = meeting("bac-ninh")
    page = client.get(reverse("documents:finalize_confirm", args=["minutes", bac_ninh.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Chưa thể khóa" in html and "Thư ký hội nghị" in html
    action = reverse("documents:finalize", args=["minutes", bac_ninh.pk])
    assert f'action="{action}"' not in html
    response = client.post(
        reverse("documents:finalize", args=["minutes", bac_ninh.pk]), {"number": 1}
    )
    assert response.status_code == 302 and not DocumentVersion.objects.exists()


def test_the_documents_page_names_count_minutes_by_poll_and_files_in_ascii(client, demo):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri-test", password="x")
    client.force_login(admin)
    central = meeting("trung-uong")
    html = client.get(reverse("documents:meeting_documents", args=[central.pk])).content.decode()
    for poll in central.polls.all():
        assert poll.title in html
    poll = central.polls.get(title__startswith="Đề nghị tặng Cờ thi đua")
    response = client.get(reverse("documents:draft_pdf", args=["count_minutes", poll.pk]))
    assert (
        'filename="bien-ban-kiem-phieu-de-nghi-tang-co-thi-dua-cua-chinh-phu-nam-2023-2023-du-thao.pdf"'
        in response["Content-Disposition"]
    )
    response = client.get(reverse("documents:draft_docx", args=["minutes", central.pk]))
    assert 'filename="bien-ban-hoi-nghi-2023-du-thao.docx"' in response["Content-Disposition"]


def words(text: str) -> list[str]:
    """The words of a text, without punctuation, page numbers or dotted blanks."""
    out = []
    for token in re.findall(r"[\w/–-]+", text):
        token = token.strip("–-")
        if token and not token.isdigit():
            out.append(token)
    return sorted(out)


HEADERS = set(
    words(
        "TT Đơn vị Đại diện Tình trạng Đơn vị / người được bầu Số phiếu Tỷ lệ (%) Kết quả "
        "Tập thể, cá nhân được đề nghị Căn cứ đề nghị"
    )
)


def subject_of(kind: str, org: str, year: int | None, poll: str | None = None):
    if poll:
        return meeting(org).polls.get(title__startswith=poll)
    return bloc_year(org, year) if year else meeting(org)


@pytest.mark.parametrize(
    "kind,org,year,poll",
    [
        ("minutes", "trung-uong", None, None),
        ("minutes", "bac-ninh", None, None),
        ("proposal", "tay-ninh", 2022, None),
        ("invitation", "trung-uong", None, None),
        ("count_minutes", "trung-uong", None, "Đề nghị tặng Cờ thi đua"),
        ("count_minutes", "tay-ninh", None, "Bầu đơn vị xuất sắc nhất"),
        ("report", "trung-uong", 2023, None),
        ("report", "bac-ninh", 2023, None),
        ("covenant", "trung-uong", 2024, None),
    ],
)
def test_the_docx_says_what_the_pdf_says(demo, kind, org, year, poll):
    """pdftotext on the PDF and python-docx on the DOCX give the same words; the PDF may repeat
    a table's header row on the next page (the DOCX marks it to repeat), page numbers aside."""
    subject = subject_of(kind, org, year, poll)
    pdf_words = Counter(words(pdftools.text(services.draft_pdf(kind, subject))))
    docx_words = Counter(words(docx_text(kind, subject)))
    assert not docx_words - pdf_words
    assert set(pdf_words - docx_words) <= HEADERS
    assert sum(pdf_words.values()) > 150


def test_the_invitation_states_time_place_agenda_attendees_and_who_signs(demo, client):
    central = meeting("trung-uong")
    text = flat(pdf_text("invitation", central))
    assert "GIẤY MỜI" in text and "Dự Hội nghị tổng kết công tác thi đua" in text
    assert "1. Thời gian: 08 giờ 00 phút, ngày 10/04/2024." in text
    assert "2. Địa điểm: Trụ sở Kiểm toán nhà nước." in text
    assert "- Phát động thi đua và ký kết giao ước thi đua năm 2024;" in text
    assert "lãnh đạo và đại diện 8 đơn vị thành viên" in text
    assert "Đồng chí Phạm Huy Giang, Trưởng Ban Thi đua – Khen thưởng Trung ương" in text
    assert "Nơi nhận:" in text and "- Như trên;" in text and "KHỐI TRƯỞNG" in text
    assert "Luật Thi đua" not in text  # an invitation cites no law
    assert "Rất mong các đồng chí đến dự đầy đủ, đúng giờ./." in text
    no_place = meeting("ha-giang")  # no place, no host recorded
    with pytest.raises(ValidationError, match="Địa điểm hội nghị"):
        services.document_finalize(kind="invitation", subject=no_place)


def test_a_reader_with_the_english_interface_gets_the_same_vietnamese_document(demo):
    from django.utils import translation

    central = meeting("trung-uong")
    vietnamese = pdf_text("minutes", central)
    with translation.override("en"):
        assert pdf_text("minutes", central) == vietnamese
        assert "Được suy tôn: Kiểm toán nhà nước" in flat(docx_text("minutes", central))


def _twips(mm: float) -> str:
    from docx.shared import Mm

    return str(int(Mm(mm).twips))


@pytest.mark.parametrize(
    "kind,org,year,poll,signer",
    [
        ("invitation", "trung-uong", None, None, ("KHỐI TRƯỞNG", None)),
        ("count_minutes", "trung-uong", None, "Đề nghị tặng Cờ thi đua", ("TRƯỞNG BAN", None)),
        ("report", "bac-ninh", 2023, None, ("CHÁNH THANH TRA TỈNH", "Trần Quang Ứng")),
        ("covenant", "trung-uong", 2024, None, (None, "Nguyễn Thanh Tịnh")),
    ],
)
def test_every_docx_has_page_numbers_a_one_line_national_title_and_the_draft_mark(
    demo, kind, org, year, poll, signer
):
    from docx.oxml.ns import qn

    subject = subject_of(kind, org, year, poll)
    snap = services.draft_snapshot(kind, subject)
    doc = Document(io.BytesIO(docx_export.to_docx(kind, snap)))
    footer = doc.sections[0].footer._element
    assert [t.text.strip() for t in footer.iter(qn("w:instrText"))] == ["PAGE"]
    header = doc.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    grid = [c.get(qn("w:w")) for c in header._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == [_twips(68), _twips(97)], "LibreOffice lays the table out by its grid"
    assert header._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    body = [p.text for p in doc.paragraphs]
    assert "DỰ THẢO" in body[:3]
    assert doc.core_properties.title.startswith(snap["title"])
    role, name = signer
    text = docx_text(kind, subject)
    if role:
        assert role in text
    if name:
        assert name in text
    # A locked version carries no draft mark, and its number.
    snap["number"] = 7
    locked = Document(io.BytesIO(docx_export.to_docx(kind, snap)))
    assert "DỰ THẢO" not in [p.text for p in locked.paragraphs]
    assert f"Số: 07/{snap['symbol']}" in locked.tables[0].cell(1, 0).text


def test_the_documents_pages_offer_the_docx_of_every_signed_document(client, demo):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri-test", password="x")
    client.force_login(admin)
    central = meeting("trung-uong")
    html = client.get(reverse("documents:meeting_documents", args=[central.pk])).content.decode()
    assert reverse("documents:draft_docx", args=["invitation", central.pk]) in html
    assert reverse("documents:draft_docx", args=["minutes", central.pk]) in html
    for poll in central.polls.all():
        assert reverse("documents:draft_docx", args=["count_minutes", poll.pk]) in html
    assert reverse("documents:draft_docx", args=["ballots", central.pk]) not in html
    year = bloc_year("trung-uong", 2023)
    html = client.get(reverse("documents:bloc_year_documents", args=[year.pk])).content.decode()
    for kind in ("covenant", "report", "proposal"):
        assert reverse("documents:draft_docx", args=[kind, year.pk]) in html
    response = client.get(reverse("documents:draft_docx", args=["report", year.pk]))
    assert response.status_code == 200
    assert 'filename="bao-cao-2023-du-thao.docx"' in response["Content-Disposition"]
    poll = central.polls.get(title__startswith="Đề nghị tặng Cờ thi đua")
    response = client.get(reverse("documents:draft_docx", args=["count_minutes", poll.pk]))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="bien-ban-kiem-phieu-de-nghi-tang-co-thi-dua'
    )
    assert (
        client.get(reverse("documents:draft_docx", args=["ballots", central.pk])).status_code == 404
    )


def test_awards_conferred_at_the_meeting_are_recorded_as_conferred_not_proposed(demo):
    """Hà Giang, 13/7/2022: the report says the Chairman of the provincial People's Committee
    had conferred Bằng khen on 31 collectives and 60 individuals (no list), and names some
    exemplary units and people, who are not said to be among them. The minutes record the
    conferral as conferred, with its counts, and propose nothing the meeting did not propose."""
    from awards.models import AwardTally

    m = meeting("ha-giang")
    for text in (pdf_text("minutes", m), docx_text("minutes", m)):
        body = flat(text)
        assert (
            "1. Khen thưởng: - Công bố, trao tặng Bằng khen của Chủ tịch UBND tỉnh cho 31 tập "
            "thể và 60 cá nhân;" in body
        )
        assert "Đề nghị tặng" not in body
        assert "Khen thưởng: không có" not in body
        # The exemplary people are in what the meeting recognised, not in an award line.
        assert "điển hình tiên tiến" in body and "Giàng Xuân Chiến" in body
    # Without the day it was announced, a count is not the meeting's: nothing is printed.
    AwardTally.objects.filter(bloc_year=m.bloc_year).update(announced_on=None)
    body = flat(pdf_text("minutes", m))
    assert "1. Khen thưởng: không có." in body and "31 tập thể" not in body
