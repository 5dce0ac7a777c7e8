"""Run a meeting in Chromium: attendance, an honour vote by several voters in separate
browser contexts, close and publish; then download the minutes PDF and read its text."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import AwardTitle
from meetings import services
from meetings.models import Ballot, Poll, SealedBallot, VoteCast

pytestmark = [pytest.mark.browser]


def _accept_dialogs(page):
    page.on("dialog", lambda d: d.accept())  # data-confirm asks before closing/opening a poll


@pytest.fixture
def meeting(world):
    return services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
        place="Hội trường Công an tỉnh",
    )


def test_secretary_takes_attendance_voters_vote_in_their_own_browsers_and_the_poll_closes(
    new_page, world, meeting, transactional_db, browser_errors
):
    present = world.units[:6]
    title = AwardTitle.objects.get_or_create(
        code="bang-khen-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )[0]
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

    # Attendance: the secretary marks six units present, the board updates in place (htmx).
    staff = new_page(world.secretary)
    _accept_dialogs(staff)
    staff.goto(f"/meetings/{meeting.pk}/attendance/")
    for i, unit in enumerate(present, start=1):
        row = staff.locator(f"#att-{unit.pk}")
        row.locator("select[name=status]").select_option("present")
        row.get_by_role("button", name="Lưu").click()
        expect(staff.locator("#board")).to_contain_text(f"{i}/8")
    expect(staff.locator("#board")).to_contain_text("Đủ túc số")

    # Open the poll: the roll is frozen from attendance.
    staff.goto(f"/polls/{poll.pk}/")
    staff.get_by_role("button", name="Mở biểu quyết").click()
    expect(staff.get_by_role("link", name="Kết thúc biểu quyết…")).to_be_visible()
    assert set(poll.voters.values_list("unit_id", flat=True)) == {u.pk for u in present}

    # One-time codes are shown once, on the print page (the app keeps only keyed hashes).
    staff.goto(f"/polls/{poll.pk}/slips/")
    for box in staff.locator("input[name=units]").all():
        box.uncheck()
    for unit in present[:4]:
        staff.get_by_label(unit.name, exact=True).check()
    staff.get_by_role("button", name="In mã cho các đơn vị đã chọn").click()
    slips = staff.locator(".slip")
    expect(slips).to_have_count(4)
    codes = {}
    for slip in slips.all():
        name = slip.locator(".slip-unit").inner_text().strip()
        codes[name] = slip.locator("code.ballot-code").inner_text().strip()
    assert set(codes) == {u.name for u in present[:4]}

    # Four voters, each in a browser context of their own (no login: the code is the credential).
    receipts = []
    choices = [world.units[1], world.units[1], world.units[1], world.units[2]]
    for unit, choice in zip(present[:4], choices, strict=True):
        voter = new_page(viewport={"width": 390, "height": 844})
        voter.goto("/vote/")
        voter.get_by_label("Mã phiếu bầu").fill(codes[unit.name])
        voter.get_by_role("button", name="Tiếp tục").click()
        expect(voter.get_by_text(unit.name).first).to_be_visible()
        voter.get_by_label(choice.name).check()
        voter.get_by_role("button", name="Xem lại phiếu").click()
        expect(voter.locator("#ballot-box")).to_contain_text(choice.name)
        voter.get_by_role("button", name="Gửi phiếu").click()
        receipt = voter.locator("#receipt")
        expect(voter.locator("#ballot-box")).to_contain_text("Đã nhận phiếu")
        receipts.append(receipt.inner_text())
        # A second try with the same code gets no ballot: only the receipt already recorded.
        voter.goto("/vote/")
        voter.get_by_label("Mã phiếu bầu").fill(codes[unit.name])
        voter.get_by_role("button", name="Tiếp tục").click()
        box = voter.locator("#ballot-box")
        expect(box).to_contain_text("Phiếu của đơn vị đã được ghi nhận")
        expect(voter.locator("#receipt")).to_have_text(receipts[-1])
        expect(box.get_by_role("button", name="Xem lại phiếu")).to_have_count(0)
        expect(box.locator("input[name=marks]")).to_have_count(0)
    assert len(set(receipts)) == 4
    assert set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True)) == set(
        receipts
    )
    assert VoteCast.objects.filter(poll=poll).count() == 4
    assert SealedBallot.objects.filter(poll=poll).count() == 4
    assert not Ballot.objects.filter(poll=poll).exists()  # counted ballots appear at close

    # Close (4 of 6 voted, below the bloc's quorum of 6/8: the secretary confirms) and publish.
    staff.goto(f"/polls/{poll.pk}/")
    staff.get_by_role("link", name="Kết thúc biểu quyết…").click()
    expect(staff.locator("#turnout")).to_have_text("4/6")
    expect(staff.locator("main")).to_contain_text("Số đơn vị bỏ phiếu dưới túc số (6 đơn vị)")
    staff.get_by_role("button", name="Kết thúc biểu quyết").click()
    expect(staff.locator("main")).to_contain_text(
        "Mới có 4/6 đơn vị bỏ phiếu, dưới túc số 6 đơn vị."
    )
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    staff.get_by_label(
        "Tôi xác nhận kết thúc biểu quyết khi số đơn vị bỏ phiếu chưa đủ túc số."
    ).check()
    staff.get_by_role("button", name="Kết thúc biểu quyết").click()
    expect(staff.get_by_role("button", name="Công bố kết quả")).to_be_visible()
    staff.get_by_role("button", name="Công bố kết quả").click()
    expect(staff.locator("#poll-status")).to_have_text("Đã công bố")
    poll.refresh_from_db()
    assert poll.status == Poll.Status.PUBLISHED
    assert Ballot.objects.filter(poll=poll).count() == 4
    expect(staff.locator("main")).to_contain_text(world.units[1].name)
    expect(staff.get_by_text("Được suy tôn", exact=True)).to_be_visible()  # an honour vote
    expect(staff.locator("main")).not_to_contain_text("rúng cử")
    expect(staff.locator("main")).to_contain_text("Đạt 3/4 phiếu (75%)")
    assert browser_errors == []


@pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) không có trên máy"
)
def test_office_downloads_the_minutes_pdf_and_its_text_names_the_meeting(
    new_page, world, meeting, transactional_db, tmp_path
):
    page = new_page(world.office)
    page.goto(f"/meetings/{meeting.pk}/documents/")
    row = page.locator("tr", has_text="Biên bản hội nghị").first
    link = row.get_by_role("link", name="Tải PDF dự thảo")
    # The PDF is served inline (the browser's viewer opens it): fetch it with the page's cookies.
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline; filename=")
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(response.body())
    assert path.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "BIÊN BẢN" in flat
    assert "Hội trường Công an tỉnh" in flat
    assert world.bloc.name.upper() in flat.upper()
