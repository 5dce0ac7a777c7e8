"""A full meeting in headless Chromium: check-in, an honour vote with 8 voters in separate
browser contexts, a tie and its runoff, close, publish. Screenshots go to test-artifacts/ on
failure (or always with E2E_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections

from awards.models import Award
from meetings.models import Attendance, Poll

from .conftest import award_title, make_meeting

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
    # steps would be refused by Django's async-unsafe guard. Only for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        yield browser
        browser.close()


def _shoot(pages, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for i, page in enumerate(pages):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-{i:02d}.png"), full_page=True)
        except Exception:  # noqa: BLE001, S110 - a crashed page must not hide the failure
            pass


def test_full_meeting_with_checkin_tie_runoff_and_publication(
    chromium, live_server, world, transactional_db
):
    import requests
    from playwright.sync_api import expect

    requests.get(live_server.url + "/login/", timeout=120)  # warm: the first request imports all
    meeting = make_meeting(world)
    title = award_title()
    u = world.units
    errors: list[str] = []
    pages = []

    def context_page(login_as=None):
        ctx = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1100, "height": 900}
        )
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "409" not in m.text else None,
        )
        page.on("dialog", lambda d: d.accept())
        pages.append(page)
        if login_as:
            page.goto("/login/")
            page.fill("input[name=username]", login_as)
            page.fill("input[name=password]", "mat-khau-thu-nghiem")
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    try:
        sec = context_page("thuky")
        # Check-in: the secretary issues one-time codes; 7 delegates check in, one is marked by hand.
        sec.goto(f"/meetings/{meeting.pk}/attendance/")
        sec.get_by_role("button", name="Phát mã điểm danh (QR)").click()
        expect(sec.locator(".slip img")).to_have_count(8)
        voters = [context_page() for _ in range(8)]
        for unit, page in zip(u[:7], voters, strict=False):
            code = meeting.attendances.get(unit=unit).checkin_code
            page.goto(f"/checkin/?code={code}")
            page.get_by_label("Họ tên đại biểu dự").fill(f"Đại biểu {unit.name}")
            page.get_by_role("button", name="Điểm danh").click()
            expect(page.get_by_text("có mặt")).to_be_visible()
        sec.goto(f"/meetings/{meeting.pk}/attendance/")
        row = sec.locator(f"#att-{u[7].pk}")
        row.locator("select[name=status]").select_option("present")
        row.get_by_role("button", name="Lưu").click()
        expect(sec.locator("#board")).to_contain_text("8/8")
        assert meeting.attendances.filter(status=Attendance.Status.PRESENT).count() == 8

        # The honour vote: 2 seats, ≥ 1/2 of valid ballots, 3 candidates, filled in the real form.
        sec.goto(f"/meetings/{meeting.pk}/polls/new/")
        sec.get_by_label("Loại biểu quyết").select_option("award")
        sec.get_by_label("Nội dung biểu quyết").fill("Suy tôn Bằng khen năm 2024")
        sec.get_by_label("Danh hiệu").select_option(str(title.pk))
        sec.get_by_label("Số lượng cần chọn").fill("2")
        sec.get_by_label("Số người được đánh dấu tối đa trên một phiếu").fill("2")
        # The rule in words has no "from 1/2 of valid ballots": «Khác» shows the fraction fields.
        sec.get_by_label("Nguyên tắc trúng cử, được suy tôn / thông qua").select_option("custom")
        sec.get_by_label("Tính trên").select_option("valid")
        sec.get_by_label("Ngưỡng: tử số").fill("1")
        sec.get_by_label("Ngưỡng: mẫu số").fill("2")
        sec.get_by_label("Phải vượt quá ngưỡng (>)").uncheck()
        for unit in u[:3]:
            sec.get_by_label(unit.name, exact=True).check()
        sec.get_by_role("button", name="Lưu").click()
        sec.wait_for_url(re.compile(r"/polls/\d+/$"))
        poll = Poll.objects.get(meeting=meeting)

        last_codes: list[str] = []

        def run_round(poll, plan):
            sec.goto(f"/polls/{poll.pk}/")
            sec.get_by_role("button", name="Mở biểu quyết").click()
            expect(sec.locator("#progress")).to_contain_text("0 / 8")
            # Slips for all 8 units (one has a delegate account: printing it is a choice).
            sec.goto(f"/polls/{poll.pk}/slips/")
            for box in sec.locator("input[name=units]").all():
                box.check()
            sec.get_by_role("button", name="In mã cho các đơn vị đã chọn").click()
            codes = sec.locator("code.ballot-code").all_inner_texts()
            assert len(codes) == 8
            sec.goto(f"/polls/{poll.pk}/")
            receipts = []
            for page, code, marks in zip(voters, codes, plan, strict=True):
                page.goto("/vote/")
                page.get_by_label("Mã phiếu bầu").fill(code)
                page.get_by_role("button", name="Tiếp tục").click()
                for unit in marks:
                    page.get_by_label(unit.name, exact=True).check()
                others = [
                    c.unit for c in poll.candidates.select_related("unit") if c.unit not in marks
                ]
                if len(marks) == poll.max_marks and others:  # static/js/meetings.js: no more marks
                    expect(page.get_by_label(others[0].name, exact=True)).to_be_disabled()
                page.get_by_role("button", name="Xem lại phiếu").click()
                expect(page.locator("#ballot-box")).to_contain_text("Phiếu không thể sửa")
                page.get_by_role("button", name="Gửi phiếu").click()
                receipt = page.locator("#receipt")
                expect(receipt).to_be_visible()
                receipts.append(receipt.inner_text())
            expect(sec.locator("#progress")).to_contain_text("8 / 8", timeout=6000)  # htmx polling
            expect(sec.locator("#progress")).not_to_contain_text(u[0].name)
            sec.get_by_role("link", name="Kết thúc biểu quyết…").click()
            expect(sec.locator("#turnout")).to_have_text("8/8")
            sec.get_by_role("button", name="Kết thúc biểu quyết").click()
            expect(sec.locator("#results")).to_be_visible()
            last_codes[:] = codes
            return receipts

        # Round 1: everyone marks u0; the second marks split 4/4 between u1 and u2: a tie at the cut-off.
        run_round(poll, [[u[0], u[1]]] * 4 + [[u[0], u[2]]] * 4)
        expect(sec.locator("#results")).to_contain_text(
            "Đạt 8/8 phiếu (100%), đạt ngưỡng từ 1/2 số phiếu hợp lệ trở lên; được suy tôn"
        )
        expect(sec.locator("#results")).to_contain_text("bằng phiếu tại vị trí cuối cùng")
        sec.get_by_role("button", name="Công bố kết quả").click()
        expect(sec.locator("#poll-status")).to_have_text("Đã công bố")
        sec.get_by_role("button", name="Tạo vòng bỏ phiếu lại giữa các đơn vị dẫn đầu").click()
        sec.wait_for_url(lambda url: f"/polls/{poll.pk}/" not in url)
        runoff = Poll.objects.get(previous=poll)
        assert runoff.round_no == 2 and runoff.seats == 1

        # Round 2 between the tied units: 5 to 3.
        receipts = run_round(runoff, [[u[1]]] * 5 + [[u[2]]] * 3)
        expect(sec.locator("#results")).to_contain_text("Đạt 5/8 phiếu (62,5%)")
        sec.get_by_role("button", name="Công bố kết quả").click()
        expect(sec.locator("#poll-status")).to_have_text("Đã công bố")
        runoff.refresh_from_db()
        expect(sec.locator("#seal")).to_have_text(runoff.seal_digest)

        # A voter's code now opens only the public bulletin, where their receipt is listed.
        voters[0].goto("/vote/")
        voters[0].get_by_label("Mã phiếu bầu").fill(last_codes[0])
        voters[0].get_by_role("button", name="Tiếp tục").click()
        expect(voters[0].locator("#seal")).to_have_text(runoff.seal_digest)
        expect(voters[0].get_by_text(receipts[0])).to_be_visible()
        awarded = set(
            Award.objects.filter(bloc_year=world.bloc_year, award_title=title).values_list(
                "unit_id", flat=True
            )
        )
        assert awarded == {u[0].pk, u[1].pk}
        assert errors == []
        if os.environ.get("E2E_SCREENSHOTS"):
            _shoot([sec, voters[0]], "meetings-full-meeting")
    except BaseException:
        _shoot(pages, "meetings-full-meeting-failure")
        raise
    finally:
        # Close the keep-alive sockets now, so live_server's threads drop their DB connections.
        for page in pages:
            page.context.close()
        # With Playwright's loop running, the ORM calls above used a context-local connection
        # that pytest-django does not know about: close it, or the test database cannot be dropped.
        connections.close_all()
