"""The print pipeline: ND30 layout, Vietnamese text layer, A4, embedded fonts, no network."""

import datetime as dt

import pytest

from documents import rendering, services
from khoithidua.lib.qr import qr_data_uri
from legal.formats import nd30_date_text

from . import pdftools


@pytest.fixture
def minutes_pdf(meeting):
    unit = meeting.bloc_year.memberships.select_related("unit").first().unit
    unit.name = "Tòa án nhân dân tỉnh Bắc Ninh"
    unit.save()
    return services.draft_pdf("minutes", meeting)


def test_dates_are_written_the_nd30_way():
    assert nd30_date_text(dt.date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    assert nd30_date_text(dt.date(2023, 2, 21)) == "ngày 21 tháng 02 năm 2023"
    assert nd30_date_text(dt.date(2022, 3, 2)) == "ngày 02 tháng 3 năm 2022"
    assert nd30_date_text(dt.date(2023, 11, 21)) == "ngày 21 tháng 11 năm 2023"


def test_minutes_text_layer_has_header_title_and_signatures_with_diacritics(minutes_pdf, world):
    text = pdftools.text(minutes_pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert world.organizer.name.upper() in text
    assert "BIÊN BẢN" in text
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024" in text
    assert "ngày 05 tháng 12 năm 2024" in text
    assert "Tòa án nhân dân tỉnh Bắc Ninh" in text
    assert "08 giờ 00 phút, ngày 05/12/2024" in text
    assert "Hội nghị kết thúc vào" in text
    assert "THƯ KÝ" in text and "CHỦ TRÌ HỘI NGHỊ" in text
    assert "DỰ THẢO" in text
    assert "\ufffd" not in text


def test_pages_are_a4_and_every_font_is_embedded(minutes_pdf):
    info = pdftools.info(minutes_pdf)
    assert "(A4)" in info["Page size"]
    fonts = pdftools.fonts(minutes_pdf)
    assert fonts, "the PDF has text, so it lists fonts"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert all("Serif" in f["name"] for f in fonts), fonts


def test_page_numbers_start_on_page_two(minutes_pdf):
    assert pdftools.page_count(minutes_pdf) >= 2
    first = pdftools.text(minutes_pdf, first=1, last=1).strip().splitlines()
    second = pdftools.text(minutes_pdf, first=2, last=2).strip().splitlines()
    assert second[0].strip() == "2"
    assert first[0].strip() != "1"


def test_the_same_snapshot_renders_to_the_same_bytes(meeting):
    snapshot = services.draft_snapshot("minutes", meeting)
    assert services.snapshot_pdf("minutes", snapshot) == services.snapshot_pdf("minutes", snapshot)
    html = services.render_snapshot_html("minutes", snapshot)  # links print.css itself
    assert rendering.html_to_pdf(html) == rendering.html_to_pdf(html)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://cdn.example.com/x.css",
        "file:///etc/passwd",
        "/media/secret.png",
        "/static/../khoithidua/settings.py",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(rendering.RefusedURL):
        rendering.html_to_pdf(f'<p>x</p><img src="{url}">')


def test_the_fetcher_serves_static_files_and_data_uris():
    response = rendering.LocalFetcher().fetch(rendering.PRINT_BASE_URL + "static/css/print.css")
    assert b"@page" in response.read()
    pdf = rendering.html_to_pdf(f'<p>Mã QR</p><img src="{qr_data_uri("https://x.invalid/")}">')
    assert pdf.startswith(b"%PDF-")


def test_the_fetcher_is_built_once_per_thread():
    assert rendering.local_fetcher() is rendering.local_fetcher()


def test_the_pdf_carries_a_title_in_its_metadata(minutes_pdf):
    title = pdftools.info(minutes_pdf)["Title"]
    assert title == "Biên bản: Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024"


def test_signature_boxes_are_where_the_signature_spaces_are_laid_out():
    html = (
        "<style>@page { size: A4; margin: 0 } body { margin: 0 }</style>"
        '<div style="height: 100px"></div>'
        '<div data-sign-role="chair" data-sign-name="Nguyễn Văn A" '
        'style="margin-left: 96px; width: 192px; height: 96px"></div>'
        '<div data-sign-role="secretary" style="break-before: page; width: 96px; height: 48px">'
        "</div>"
    )
    boxes = {b["role"]: b for b in rendering.render_pdf(html).signature_boxes}
    chair = boxes["chair"]
    # 96 CSS px = 1 inch = 72 pt; A4 is 841.89 pt high; y is the lower-left corner from below.
    assert (chair["page"], chair["x"], chair["width"], chair["height"]) == (0, 72.0, 144.0, 72.0)
    assert chair["y"] == pytest.approx(841.89 - 75 - 72, abs=0.05)
    assert chair["name"] == "Nguyễn Văn A"
    assert boxes["secretary"]["page"] == 1
