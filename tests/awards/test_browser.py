"""In Chromium: a delegate self-scores (a score over the maximum is refused on the page), the
secretary reviews with a reason and locks, and the ranking shows the agreed totals."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import browser, browser_errors, login, new_page  # noqa: F401 - fixtures

from .conftest import leaves, make_scheme, self_assess

pytestmark = [pytest.mark.browser]


def test_self_scoring_review_and_ranking_in_the_browser(
    new_page,  # noqa: F811 - the imported fixture
    world,
    transactional_db,
    browser_errors,  # noqa: F811
):
    from awards.catalog import ensure_catalog

    ensure_catalog()
    scheme = make_scheme(world.bloc_year, open_=True)
    for sheet in scheme.sheets.exclude(unit=world.units[1]):
        self_assess(sheet, default=18)
    sheet = scheme.sheets.get(unit=world.units[1])
    first = leaves(scheme)[0]

    page = new_page(world.delegate)
    page.goto(f"/sheets/{sheet.pk}/")
    page.locator(f"input[name=v{first.pk}]").fill("30")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".form-errors")).to_contain_text("vượt quá điểm tối đa (25)")
    for c in leaves(scheme):
        if c.kind == "points":
            page.locator(f"input[name=v{c.pk}]").fill("24")
    # «Lưu và nộp» right away (no «Lưu» first): what was typed is saved, then submitted.
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Lưu và nộp bảng tự chấm").click()
    expect(page.locator(".messages")).to_contain_text("Đã nộp bảng tự chấm")

    sec = new_page(world.secretary)
    sec.goto(f"/sheets/{sheet.pk}/")
    sec.locator(f"input[name=v{first.pk}]").fill("20")
    sec.locator(f"textarea[name=r{first.pk}]").fill("Thiếu minh chứng")
    sec.get_by_role("button", name="Lưu", exact=True).click()
    expect(sec.get_by_text("điều chỉnh", exact=True)).to_be_visible()
    sec.goto(f"/years/{world.bloc_year.pk}/ranking/")
    first_row = sec.locator("tbody tr").first
    expect(first_row).to_contain_text(world.units[1].name)
    expect(first_row).to_contain_text("92,00")  # 20 + 24 + 24 + 24
    assert browser_errors == []
