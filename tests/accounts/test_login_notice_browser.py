"""In the browser: wrong passwords typed into the real login form, then the right one — the
failed-login notice appears once on the next page, and stays on the account page."""

import os

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser, browser_errors, new_page  # noqa: F401

pytestmark = pytest.mark.browser


def _type_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_notice_follows_two_wrong_passwords(
    new_page,  # noqa: F811
    transactional_db,
    world,
    browser_errors,  # noqa: F811
):
    cache.clear()
    page = new_page()
    for _ in range(2):
        _type_login(page, "canbo", "sai-mat-khau")
        expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    _type_login(page, "canbo", "mat-khau-thu-nghiem")
    page.wait_for_url(lambda url: "/login/" not in url)
    notice = page.locator(".msg-warning")
    expect(notice).to_contain_text(
        "Có 2 lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng nhập trước"
    )
    expect(notice).to_contain_text("chính máy chủ, mạng 127.0.0.0/24: 2 lần")
    expect(notice).to_contain_text("Nếu đó không phải bạn, hãy đổi mật khẩu ngay.")
    if os.environ.get("E2E_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "login-notice.png"))

    page.get_by_role("link", name="canbo").click()  # the account page, under the user's name
    expect(page.locator("[data-login-failures]")).to_contain_text("Có 2 lần nhập sai mật khẩu")
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=str(ARTIFACTS / "login-notice-account.png"))
    page.goto("/")
    expect(page.locator(".msg-warning")).to_have_count(0)  # the message itself was once
    cache.clear()
    assert browser_errors == []
