"""Feedback in Chromium: every failed htmx request says what happened, in Vietnamese, in place;
an ended session goes to the login page and back to the form; a re-login elsewhere does not break
an open form; the first failed field gets the focus."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from blocs.models import RoleAssignment
from tests.factories import UserFactory

from .conftest import login

pytestmark = [pytest.mark.browser]

FORM = "/accounts/new/"


def _fill(page, world, email="nvan@toaan.gov.vn"):
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Email").fill(email)
    page.locator("#id_unit").select_option(str(world.units[2].pk))


def _answer(status: int, headers: dict):
    def handle(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(
            status=status, headers=headers, body="<p>oops</p>", content_type="text/plain"
        )

    return handle


EXPECTED = {
    403: "Bạn không có quyền thực hiện thao tác này; dữ liệu chưa được lưu.",
    404: "Không tìm thấy dữ liệu này (có thể vừa bị xoá hoặc bạn không còn quyền xem). Hãy tải lại trang.",
    429: "Bạn thao tác quá nhanh. Hãy thử lại sau 30 giây.",
    500: "Máy chủ gặp lỗi nên thao tác chưa được lưu. Dữ liệu đã nhập vẫn còn; hãy thử lại sau ít phút.",
    503: "Máy chủ gặp lỗi nên thao tác chưa được lưu. Dữ liệu đã nhập vẫn còn; hãy thử lại sau ít phút.",
}  # fmt: skip


def test_each_failed_status_and_a_network_error_show_a_vietnamese_message_in_the_form(
    new_page, world, transactional_db, browser_errors
):
    page = new_page(world.office)
    page.goto(FORM)
    _fill(page, world)
    form = page.locator("form.stacked")
    for status, message in EXPECTED.items():
        headers = {"Retry-After": "30"} if status == 429 else {}
        page.route("**" + FORM, _answer(status, headers))
        page.get_by_role("button", name="Lưu").click()
        alert = form.locator(".htmx-error")
        expect(alert).to_have_text(message)
        expect(alert).to_be_focused()
        expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Văn An")
        page.unroute("**" + FORM)
    page.route("**" + FORM, lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Lưu").click()
    expect(form.locator(".htmx-error")).to_have_text(
        "Không kết nối được tới máy chủ. Hãy kiểm tra mạng rồi thử lại; dữ liệu đã nhập vẫn còn."
    )
    assert form.locator(".htmx-error").count() == 1  # replaced, not piled up
    assert not get_user_model().objects.filter(email="nvan@toaan.gov.vn").exists()
    # Only the browser's and htmx's own logs of the failed requests; no script error.
    benign = (
        "status of",
        "Response Status Error Code",
        "ERR_",
        "htmx:sendError",
        "htmx:afterRequest",
    )
    assert [e for e in browser_errors if not any(b in e for b in benign)] == []


def test_the_servers_own_reason_is_shown_for_a_real_404(new_page, world, transactional_db):
    target = UserFactory(username="sapxoa", email="sapxoa@example.org")
    RoleAssignment.objects.create(user=target, role="delegate", unit=world.units[3])
    page = new_page(world.office)
    page.goto(f"/accounts/{target.pk}/edit/")
    target.delete()  # someone else removed it meanwhile
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".htmx-error")).to_have_text(
        "Trang hoặc dữ liệu bạn tìm không tồn tại, hoặc bạn không có quyền xem."
    )


def test_a_missing_csrf_cookie_gets_the_vietnamese_explanation_in_place(
    new_page, world, transactional_db
):
    page = new_page(world.office)
    page.goto(FORM)
    _fill(page, world)
    page.context.clear_cookies(name="csrftoken")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".htmx-error")).to_contain_text("Biểu mẫu này không còn hiệu lực")
    assert not get_user_model().objects.filter(email="nvan@toaan.gov.vn").exists()


def test_a_re_login_in_another_tab_does_not_break_the_open_form(new_page, world, transactional_db):
    page = new_page(world.office)
    page.goto(FORM)
    _fill(page, world)
    other = page.context.new_page()  # same browser, another tab
    other.goto("/")
    other.get_by_role("button", name="Đăng xuất").click()
    login(other, world.office.username)  # rotates the CSRF secret
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Đã tạo tài khoản nvan")


def test_an_ended_session_goes_to_login_and_back_to_the_form(new_page, world, transactional_db):
    page = new_page(world.office)
    page.goto(FORM)
    _fill(page, world)
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/login/\?next=(/|%2F)accounts(/|%2F)new(/|%2F)$"))
    expect(page.locator("main form")).to_have_count(1)  # the login page itself, not inside a card
    page.get_by_label("Tên đăng nhập").fill(world.office.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/accounts/new/$"))


def test_the_first_failed_field_comes_into_view_with_the_focus(new_page, world, transactional_db):
    page = new_page(world.office, viewport={"width": 390, "height": 600})
    page.goto(FORM)
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Email").fill("nvan@toaan.gov.vn")
    page.get_by_role("button", name="Lưu").click()  # no unit chosen
    unit = page.locator("#id_unit")
    expect(unit).to_be_focused()
    expect(page.locator(".field.has-error")).to_contain_text("Hãy chọn đơn vị của đại biểu.")
    assert unit.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


def test_the_role_choice_shows_only_the_field_it_needs(new_page, world, transactional_db):
    page = new_page(world.office)
    page.goto(FORM)
    bloc = page.locator("#id_bloc")
    unit = page.locator("#id_unit")
    expect(unit).to_be_visible()
    expect(bloc).to_be_hidden()
    page.get_by_label("Thư ký khối").check()
    expect(bloc).to_be_visible()
    expect(unit).to_be_hidden()
