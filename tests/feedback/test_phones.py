"""Phones: every page a delegate or the public opens fits 360 px without horizontal scrolling
(check-in, vote, ballot, receipt, bulletin, verify, hall screen), hashes wrap, and the header
takes two rows at most."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents import services as documents
from hall import services as hall
from meetings import services
from tests.meetings.conftest import make_meeting, make_poll, mark_present

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page, name: str, problems: list) -> None:
    page.wait_for_load_state("networkidle")
    if not page.evaluate(FITS):
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                 .slice(0, 3).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))"""
        )
        problems.append(
            (name, page.url, page.evaluate("document.documentElement.scrollWidth"), wide)
        )


def test_every_delegate_and_public_page_fits_360_px(
    new_page, world, transactional_db, live_server, browser_errors
):
    meeting = make_meeting(
        world,
        ends_at=timezone.make_aware(dt.datetime(2024, 11, 21, 11, 30)),
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Thị Mai, Chánh Văn phòng Tòa án nhân dân tỉnh",
    )
    mark_present(meeting, world.units[:7])
    services.checkin_codes_issue(meeting=meeting, actor=world.secretary)
    checkin_code = meeting.attendances.get(unit=world.units[7]).checkin_code
    poll = services.poll_open(poll=make_poll(meeting, world.units[2:4], title="Suy tôn Bằng khen"))
    (slip,) = services.poll_slips_issue(
        poll=poll, unit_ids=[world.units[5].pk], actor=world.secretary
    )
    hall.screen_show(meeting=meeting, actor=world.secretary, view="attendance")
    problems: list = []

    public = new_page(viewport=PHONE)
    public.goto(f"/checkin/?code={checkin_code}")
    _fits(public, "check-in", problems)
    public.get_by_role("button", name="Điểm danh").click()
    expect(public.locator("main")).to_contain_text("có mặt")
    _fits(public, "check-in done", problems)

    public.goto(f"/vote/{poll.pk}/#{slip.code}")
    _fits(public, "vote: code", problems)
    public.get_by_role("button", name="Tiếp tục").click()
    _fits(public, "vote: ballot", problems)
    public.get_by_label(world.units[2].name, exact=True).check()
    public.get_by_role("button", name="Xem lại phiếu").click()
    _fits(public, "vote: review", problems)
    public.get_by_role("button", name="Gửi phiếu").click()
    expect(public.locator("#receipt")).to_be_visible()
    _fits(public, "vote: receipt", problems)

    delegate = new_page(world.delegate, viewport=PHONE)
    header = delegate.locator("header.topbar").bounding_box()
    assert header["height"] <= 100, header  # was 330 px of 844
    delegate.goto(f"/polls/{poll.pk}/")
    _fits(delegate, "poll (delegate)", problems)

    public.goto(f"/meetings/{meeting.pk}/screen/")
    _fits(public, "hall screen", problems)

    services.poll_close(poll=poll, confirm_low_turnout=True)
    services.poll_publish(poll=poll)
    public.goto(f"/polls/{poll.pk}/bulletin/")
    _fits(public, "bulletin", problems)

    version = documents.document_finalize(
        kind="minutes", subject=meeting, actor=world.secretary, base_url=live_server.url
    )
    public.goto("/verify/")
    _fits(public, "verify", problems)
    public.goto(f"/verify/{version.fingerprint}/")
    expect(public.locator("main")).to_contain_text(version.fingerprint[:8])
    _fits(public, "verify: result", problems)
    assert problems == [], "\n".join(map(str, problems))
