"""Accessibility in Chromium: axe-core finds no serious or critical violation on the main pages,
every form control has a label, and the login form works with the keyboard alone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .pages import anonymous_pages, main_pages, rich_world

AXE = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [pytest.mark.browser]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.title)
  .map(el => el.outerHTML.slice(0, 160))"""


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert len(result["passes"]) >= 10, "axe-core ran its rules"
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core chưa cài (cd tools && npm install)")
def test_main_pages_have_no_serious_or_critical_axe_violations_and_every_control_has_a_label(
    new_page, world, transactional_db
):
    extra = rich_world(world)
    problems = {}
    anonymous = new_page(bypass_csp=True)
    staff = new_page(world.office, bypass_csp=True)
    for page, pages in ((anonymous, anonymous_pages(extra)), (staff, main_pages(world, extra))):
        for name, url in pages:
            response = page.goto(url)
            assert response.status == 200, (name, url, response.status)
            found = _axe(page) + [f"no label: {html}" for html in page.evaluate(UNLABELLED)]
            if found:
                problems[f"{name} ({url})"] = found
    assert problems == {}


def test_login_works_with_the_keyboard_alone(new_page, world, transactional_db, browser_errors):
    page = new_page()
    page.goto("/login/")
    username = page.get_by_label("Tên đăng nhập")
    for _ in range(10):  # skip link, language switch ... then the form
        page.keyboard.press("Tab")
        if username.evaluate("el => el === document.activeElement"):
            break
    expect(username).to_be_focused()
    page.keyboard.type("canbo")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu")).to_be_focused()
    page.keyboard.type("mat-khau-thu-nghiem")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Các khối, cụm thi đua")
    # The skip link is the first stop and leads to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, tới nội dung chính")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert browser_errors == []
