"""Log in, filter the dashboard, create a bloc-year and set its leader and deputy: in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from blocs.models import BlocYear, LeadershipTerm

from .conftest import login

pytestmark = [pytest.mark.browser]


def test_staff_logs_in_through_the_form_after_one_wrong_password(
    new_page, world, transactional_db, browser_errors
):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".errorlist, .form-errors").first).to_be_visible()
    login(page, "canbo")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Các khối, cụm thi đua")
    expect(page.get_by_role("link", name=world.bloc.name)).to_be_visible()
    expect(page.get_by_text(world.other_bloc_year.bloc.name)).to_have_count(0)
    assert browser_errors == []


def test_dashboard_search_filters_the_results_with_htmx_without_a_page_load(
    new_page, world, transactional_db, browser_errors
):
    from tests.factories import BlocFactory, BlocYearFactory

    BlocYearFactory(
        bloc=BlocFactory(organizer=world.organizer, name="Cụm thi đua Văn hoá – Xã hội")
    )
    page = new_page(world.office)
    expect(page.locator("#results")).to_contain_text("2 khối")
    page.evaluate("window.__same_page = true")
    with page.expect_response(lambda r: "q=V%C4%83n" in r.url) as info:
        page.get_by_label("Tìm theo tên").press_sequentially("Văn hoá")
    assert info.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#results")).to_contain_text("1 khối")
    expect(page.get_by_role("link", name="Cụm thi đua Văn hoá – Xã hội")).to_be_visible()
    expect(page.get_by_role("link", name=world.bloc.name)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=V"))
    assert page.evaluate("window.__same_page") is True
    page.get_by_label("Tìm theo tên").clear()
    page.get_by_label("Tìm theo tên").press("Backspace")
    expect(page.locator("#results")).to_contain_text("2 khối")
    page.get_by_label("Cấp").select_option("central")
    expect(page.locator("#results")).to_contain_text("0 khối")
    assert page.evaluate("window.__same_page") is True
    assert browser_errors == []


def test_office_creates_a_bloc_year_then_sets_leader_and_deputy_through_the_forms(
    new_page, world, transactional_db, browser_errors
):
    bloc = world.bloc
    page = new_page(world.office)
    page.goto(f"/blocs/{bloc.pk}/")
    page.get_by_role("link", name="Thêm năm thi đua").click()
    # An existing year: the htmx form swaps in its error, we stay on the form page.
    year = page.get_by_label("Năm:", exact=True)
    year.fill("2024")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Khối đã có năm thi đua 2024.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/blocs/{bloc.pk}/years/new/$"))
    assert BlocYear.objects.filter(bloc=bloc).count() == 1
    # Fixed: redirected (HX-Redirect) to the new year's page, members copied.
    page.get_by_label("Năm:", exact=True).fill("2025")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/years/\d+/$"))
    new_year = BlocYear.objects.get(bloc=bloc, year=2025)
    assert page.url.endswith(f"/years/{new_year.pk}/")
    assert new_year.memberships.count() == 8
    expect(page.get_by_text("Đã tạo năm thi đua.")).to_be_visible()

    leader_unit, deputy_unit = world.units[2], world.units[3]
    page.get_by_text("Đặt hoặc thay đổi Khối trưởng / Khối phó").click()
    form = page.locator("#leadership-form")
    form.get_by_label("Vai trò").select_option("leader")
    form.get_by_label("Đơn vị").select_option(str(leader_unit.pk))
    with page.expect_navigation(
        url=re.compile(rf"/years/{new_year.pk}/$")
    ):  # HX-Redirect reloads the page
        form.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu Khối trưởng/Khối phó.")).to_be_visible()

    # Deputy = the leader: refused inline, nothing changes.
    page.get_by_text("Đặt hoặc thay đổi Khối trưởng / Khối phó").click()
    form = page.locator("#leadership-form")
    form.get_by_label("Vai trò").select_option("deputy")
    form.get_by_label("Đơn vị").select_option(str(leader_unit.pk))
    form.get_by_role("button", name="Lưu").click()
    expect(
        page.get_by_text(
            "Một đơn vị không thể vừa là Khối trưởng vừa là Khối phó trong cùng một năm."
        )
    ).to_be_visible()
    assert not LeadershipTerm.objects.filter(bloc_year=new_year, role="deputy").exists()

    form = page.locator("#leadership-form")
    form.get_by_label("Đơn vị").select_option(str(deputy_unit.pk))
    with page.expect_navigation(
        url=re.compile(rf"/years/{new_year.pk}/$")
    ):  # HX-Redirect reloads the page
        form.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu Khối trưởng/Khối phó.")).to_be_visible()
    terms = dict(LeadershipTerm.objects.filter(bloc_year=new_year).values_list("role", "unit_id"))
    assert terms == {"leader": leader_unit.pk, "deputy": deputy_unit.pk}
    expect(page.locator("main")).to_contain_text(leader_unit.name)
    expect(page.locator("main")).to_contain_text(deputy_unit.name)
    assert browser_errors == []
