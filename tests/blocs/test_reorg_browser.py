"""In the browser (issue 17): office staff of the merged Tuyên Quang import the 2026 Nội chính
roster, whose members were Hà Giang's agencies; they review the preview, confirm, and the 2022
pages and PDFs keep Hà Giang's names while the 2026 ones carry Tuyên Quang's."""

import datetime as dt
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blocs import merger as m
from blocs.models import BlocYear, Unit
from meetings import services as meeting_services
from tests.e2e.conftest import browser, browser_errors, new_page  # noqa: F401 (fixtures)

from .test_import_reorg import ROSTER, to_csv
from .test_merger import BASIS, MERGER, provinces  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def _pdf_text(page, url: str, tmp_path) -> str:
    response = page.request.get(url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "doc.pdf"
    path.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


def test_import_after_the_merger_then_2022_keeps_ha_giang_and_2026_is_tuyen_quang(
    new_page,  # noqa: F811
    provinces,  # noqa: F811
    transactional_db,
    tmp_path,
    browser_errors,  # noqa: F811
):
    p = provinces
    m.merger_record(source=p["hg"], target=p["tq"], effective_date=MERGER, basis=BASIS)
    meeting_2022 = meeting_services.meeting_create(
        bloc_year=p["y2022"],
        kind="yearend",
        title="Hội nghị tổng kết năm 2022",
        starts_at=timezone.make_aware(dt.datetime(2022, 12, 8, 8, 0)),
        place="Hội trường Công an tỉnh",
    )
    roster = tmp_path / "khoi-noi-chinh-2026.csv"
    roster.write_bytes(to_csv(ROSTER))

    page = new_page(p["office"])
    page.goto("/registry/import/")
    options = page.locator("#id_organizer option").all_inner_texts()
    assert "UBND tỉnh Hà Giang" not in options  # merged away: no imports
    page.select_option("#id_organizer", label="UBND tỉnh Tuyên Quang")
    page.locator("#id_file").set_input_files(str(roster))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    preview = page.locator("#h-preview").locator("xpath=..")
    expect(preview).to_contain_text("8 đơn vị sẽ được nối với đơn vị cũ của tỉnh Hà Giang")
    expect(preview).to_contain_text("2 đơn vị mới")
    expect(preview).to_contain_text("Cục Thi hành án dân sự tỉnh – UBND tỉnh Hà Giang (thads)")
    assert not Unit.objects.filter(organizer=p["tq"], code="thads-tq").exists()  # not yet
    page.get_by_role("button", name="Xác nhận và nhập").click()
    expect(page.locator(".msg-success, .msg").first).to_contain_text("Đã nhập 10 dòng")
    linked = Unit.objects.filter(organizer=p["hg"], merged_into__organizer=p["tq"]).count()
    assert linked == 8

    y2026 = BlocYear.objects.get(bloc__organizer=p["tq"], year=2026)
    meeting_2026 = meeting_services.meeting_create(
        bloc_year=y2026,
        kind="midyear",
        title="Hội nghị sơ kết 6 tháng đầu năm 2026",
        starts_at=timezone.make_aware(dt.datetime(2026, 7, 9, 8, 0)),
        place="Hội trường Công an tỉnh",
    )

    # The 2022 meeting page and minutes: Hà Giang's names.
    page.goto(f"/meetings/{meeting_2022.pk}/")
    expect(page.locator("main")).to_contain_text("Khối Nội chính tỉnh Hà Giang")
    text_2022 = _pdf_text(page, f"/documents/draft/minutes/{meeting_2022.pk}/draft.pdf", tmp_path)
    assert "UBND TỈNH HÀ GIANG" in text_2022
    assert "TUYÊN QUANG" not in text_2022.upper()
    # The 2026 ones: Tuyên Quang's names, the new members.
    page.goto(f"/meetings/{meeting_2026.pk}/")
    expect(page.locator("main")).to_contain_text(y2026.bloc.name)
    text_2026 = _pdf_text(page, f"/documents/draft/minutes/{meeting_2026.pk}/draft.pdf", tmp_path)
    assert "UBND TỈNH TUYÊN QUANG" in text_2026
    assert "HÀ GIANG" not in text_2026.upper()
    # The new unit's page shows its lineage across the two provinces.
    new_thads = Unit.objects.get(organizer=p["tq"], code="thads-tq")
    page.goto(f"/units/{new_thads.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Cục Thi hành án dân sự tỉnh")
    expect(main).to_contain_text("UBND tỉnh Hà Giang")
    assert browser_errors == []
