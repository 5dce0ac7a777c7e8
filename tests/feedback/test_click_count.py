"""Clicks on the day (issue 13): the secretary, from "the meeting starts" to "the signed minutes
PDF", in Chromium. Delegates check in with one-time codes and cast one secret vote with their
ballot codes in browsers of their own (their clicks are theirs, not counted); the secretary hands
out the codes, opens, closes and publishes the vote, locks the minutes and attaches the signed
scan. Every click, file choice and confirmation dialog of the secretary counts; typing URLs is not
allowed (one goto: the meeting page, where the secretary starts).

Target (issue 13): at most 15. Measured before this test's fixes: see /work/notes/issue-13.md.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import DocumentVersion
from meetings import services
from meetings.models import Poll

pytestmark = [pytest.mark.browser]
TARGET = 15


class Secretary:
    """The secretary's page, with every click counted."""

    def __init__(self, page):
        self.page = page
        self.clicks: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.clicks.append(f"OK: {dialog.message[:40]}")
        dialog.accept()

    def click(self, locator, what: str):
        self.clicks.append(what)
        locator.click()

    def choose_file(self, locator, path, what: str):
        self.clicks.append(what)
        locator.set_input_files(str(path))


@pytest.fixture
def day(world):
    from awards.models import AwardTitle

    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=3),  # the planned end, in the invitation
        place="Hội trường Công an tỉnh",
        # Recorded before the day, as the agenda is: who chairs, who takes the minutes.
        chairs="Nguyễn Văn Hùng, Giám đốc Công an tỉnh",
        secretary_name="Lê Minh Đức, Chánh Văn phòng Công an tỉnh",
    )
    title = AwardTitle.objects.get_or_create(
        code="bang-khen-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )[0]
    # Prepared before the day, as the agenda is: the secret vote and its candidates.
    poll = services.poll_create(
        meeting=meeting,
        kind=Poll.Kind.AWARD,
        title="Suy tôn Bằng khen của Chủ tịch UBND tỉnh",
        award_title=title,
        mode=Poll.Mode.SECRET,
        seats=1,
        max_marks=1,
        candidates=[world.units[1], world.units[2]],
    )
    return meeting, poll


def test_the_secretary_needs_at_most_15_clicks_from_meeting_start_to_signed_minutes(
    new_page, world, day, transactional_db, browser_errors, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    meeting, poll = day
    # Six of eight come (the bloc's quorum), all without accounts: they get ballot codes.
    units = [u for u in world.units if u.pk != world.units[1].pk][:6]
    sec = Secretary(new_page(world.secretary))
    page = sec.page
    page.goto(f"/meetings/{meeting.pk}/")

    # 1. Check-in codes for the units, handed out (printed) at the door.
    sec.click(page.get_by_role("link", name="Điểm danh", exact=True), "Điểm danh")
    sec.click(page.get_by_role("button", name="Phát mã điểm danh (QR)"), "Phát mã điểm danh")
    codes = {}
    for slip in page.locator(".slip").all():
        codes[slip.locator("strong").first.inner_text().strip()] = (
            slip.locator("code").inner_text().strip()
        )
    assert {u.name for u in units} <= set(codes)

    delegates = {}
    for unit in units:
        phone = new_page(viewport={"width": 390, "height": 844})
        phone.goto("/checkin/")
        phone.get_by_label("Mã điểm danh").fill(codes[unit.name])
        phone.get_by_role("button", name="Điểm danh").click()
        expect(phone.locator("main")).to_contain_text(f"Đã ghi nhận {unit.name} có mặt")
        delegates[unit.pk] = phone

    # 2. The vote: open it, print the ballot codes.
    sec.click(page.get_by_role("link", name=poll.title).first, "biểu quyết")
    sec.click(page.get_by_role("button", name="Mở biểu quyết"), "Mở biểu quyết")
    sec.click(page.get_by_role("button", name="In mã phiếu bầu (QR) cho 6 đơn vị"), "In mã")
    ballot_codes = {}
    for slip in page.locator(".slip").all():
        name = slip.locator(".slip-unit").inner_text().strip()
        ballot_codes[name] = slip.locator("code.ballot-code").inner_text().strip()
    assert {u.name for u in units} == set(ballot_codes)

    for i, unit in enumerate(units):
        phone = delegates[unit.pk]
        phone.goto("/vote/")
        phone.get_by_label("Mã phiếu bầu").fill(ballot_codes[unit.name])
        phone.get_by_role("button", name="Tiếp tục").click()
        phone.get_by_label(world.units[1 + i % 2].name).check()
        phone.get_by_role("button", name="Xem lại phiếu").click()
        phone.get_by_role("button", name="Gửi phiếu").click()
        expect(phone.locator("#ballot-box")).to_contain_text("Đã nhận phiếu")

    # 3. Close and publish.
    sec.click(page.get_by_role("link", name="Về biểu quyết"), "về biểu quyết")
    sec.click(page.get_by_role("link", name="Kết thúc biểu quyết…"), "Kết thúc…")
    sec.click(page.get_by_role("button", name="Kết thúc biểu quyết"), "Kết thúc")
    sec.click(page.get_by_role("button", name="Công bố kết quả"), "Công bố")
    expect(page.locator("#poll-status")).to_have_text("Đã công bố")

    # 4. The minutes: lock them, then attach the scan signed on paper.
    sec.click(page.get_by_role("button", name="Khóa biên bản hội nghị"), "Khóa biên bản")
    expect(page.locator(".messages")).to_contain_text("Đã khóa văn bản")
    expect(page.locator(".messages")).to_contain_text("Đã khóa văn bản")
    scan = tmp_path / "bien-ban-da-ky.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * 200)
    sec.choose_file(page.locator("input[name=scan]"), scan, "chọn tệp scan")
    sec.click(page.get_by_role("button", name="Đính kèm"), "Đính kèm")
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm bản scan có chữ ký")

    version = DocumentVersion.objects.get(kind="minutes", subject_id=meeting.pk)
    assert version.scan and version.pdf.startswith(b"%PDF")
    print(f"\nCLICKS {len(sec.clicks)}: " + " | ".join(sec.clicks))
    assert len(sec.clicks) <= TARGET, sec.clicks
    assert browser_errors == []
