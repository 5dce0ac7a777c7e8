"""In Chromium: the projector page follows the secretary's console without a reload, shows a
vote's progress as it happens, and the console's preview shows exactly what the screen shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hall.services import screen_key
from meetings import services as meeting_services
from meetings.models import AgendaItem

from .conftest import codes, make_poll

pytestmark = [pytest.mark.browser]


def _stage_text(page) -> str:
    return re.sub(r"\d\d:\d\d$", "", page.locator("#stage").inner_text().strip()).strip()


def test_the_screen_follows_the_console_live_and_the_preview_matches_it(
    new_page, world, full_meeting, transactional_db, browser_errors
):
    meeting_services.agenda_item_save(
        item=AgendaItem(
            meeting=full_meeting, title="Báo cáo tổng kết năm 2024", speaker="Khối trưởng"
        )
    )
    poll = meeting_services.poll_open(
        poll=make_poll(full_meeting, world.units[:2], title="Suy tôn Cờ")
    )
    screen = new_page(viewport={"width": 1280, "height": 720})  # the projector: no login
    screen.goto(f"/meetings/{full_meeting.pk}/screen/{screen_key(full_meeting.pk)}/")
    expect(screen.locator("#stage")).to_contain_text("Màn hình trình chiếu chưa được bật")

    console = new_page(world.secretary)
    console.goto(f"/meetings/{full_meeting.pk}/screen/console/")
    console.get_by_role("button", name="Bật màn hình").click()
    expect(screen.locator(".stage-meeting")).to_have_text(full_meeting.title, timeout=8000)
    console.get_by_role("button", name="Chiếu Báo cáo tổng kết năm 2024").click()
    expect(screen.locator(".stage-heading")).to_have_text("Báo cáo tổng kết năm 2024", timeout=8000)
    expect(screen.locator(".stage-label")).to_have_text("Nội dung 1/1")

    console.get_by_role("button", name="Chiếu Suy tôn Cờ").click()
    expect(screen.locator(".stage-big")).to_have_text("0 / 8", timeout=8000)
    candidates = {c.unit_id: c.pk for c in poll.candidates.all()}
    ballot_codes = codes(poll)
    for unit in world.units[:3]:
        meeting_services.ballot_cast(
            code=ballot_codes[unit.pk], marks=[candidates[world.units[0].pk]]
        )
    expect(screen.locator(".stage-big")).to_have_text("3 / 8", timeout=8000)
    console.reload()
    expect(console.locator("#stage .stage-big")).to_have_text("3 / 8")
    assert _stage_text(console) == _stage_text(screen)
    assert screen.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert browser_errors == []
