"""The voter's screen in Chromium: a delegate votes from their account beside a unit voting
with a printed slip (its QR fills the code from the URL fragment), the review step, the
explicit blank ballot, a lost reply recovered, and htmx errors that say whether the ballot was
recorded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meetings import services
from meetings.models import Poll, VoteCast
from tests.e2e.conftest import browser, browser_errors, new_page  # noqa: F401 - fixtures

from .conftest import make_poll, mark_present

pytestmark = [pytest.mark.browser]


@pytest.fixture
def open_poll(world, transactional_db, live_server):
    import requests

    from .conftest import make_meeting

    # The first request imports every app's views (WeasyPrint included): ~10 s on a loaded
    # 2-core machine, longer than a page load may take. Warm the server before the browser.
    requests.get(live_server.url + "/login/", timeout=120)

    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    return services.poll_open(poll=make_poll(meeting, world.units[2:4], title="Suy tôn Bằng khen"))


def test_account_and_slip_voting_side_by_side_with_review_blank_and_a_lost_reply(
    new_page,  # noqa: F811 - the imported fixture
    world,
    open_poll,
    browser_errors,  # noqa: F811
):
    poll = open_poll
    u = world.units
    # The delegate of units[1] votes from their account, from the poll page.
    delegate = new_page(world.delegate, viewport={"width": 390, "height": 844})
    delegate.goto(f"/polls/{poll.pk}/")
    delegate.get_by_role("link", name=f"Bỏ phiếu cho {u[1].name}").click()
    delegate.get_by_label(u[2].name, exact=True).check()
    delegate.get_by_role("button", name="Xem lại phiếu").click()
    expect(delegate.locator(".confirm-choice")).to_contain_text(u[2].name)
    expect(delegate.locator("#ballot-box")).to_contain_text("Phiếu không thể sửa sau khi gửi")
    delegate.get_by_role("button", name="Gửi phiếu").click()
    receipt = delegate.locator("#receipt").inner_text()
    assert receipt == VoteCast.objects.get(poll=poll, unit=u[1]).receipt
    # Reopening the page in the account shows the recorded ballot's receipt.
    delegate.goto(f"/polls/{poll.pk}/ballot/")
    expect(delegate.locator("#ballot-box")).to_contain_text("Phiếu của đơn vị đã được ghi nhận")
    expect(delegate.locator("#receipt")).to_have_text(receipt)

    # A unit without an account: the secretary prints its slip; its QR opens /vote/<poll>/#CODE.
    slips = services.poll_slips_issue(poll=poll, unit_ids=[u[5].pk, u[6].pk], actor=world.secretary)
    code5, code6 = (s.code for s in slips)
    voter = new_page(viewport={"width": 390, "height": 844})
    voter.goto(f"/vote/{poll.pk}/#{code5}")
    expect(voter.get_by_label("Mã phiếu bầu")).to_have_value(code5)
    assert "#" not in voter.url  # the fragment is dropped from the address bar and history
    voter.get_by_role("button", name="Tiếp tục").click()
    # An empty ballot is not silently blank: the voter must choose «Phiếu trắng».
    voter.get_by_role("button", name="Xem lại phiếu").click()
    expect(voter.locator("#ballot-box")).to_contain_text("hãy chọn «Phiếu trắng»")
    voter.get_by_label("Phiếu trắng (không chọn lựa chọn nào)").check()
    voter.get_by_role("button", name="Xem lại phiếu").click()
    expect(voter.locator(".confirm-choice")).to_have_text("Phiếu trắng")
    # The reply to «Gửi phiếu» is lost: the server records the ballot, the phone never hears.
    lost = []

    def drop_reply(route):
        if route.request.method == "POST" and "step=confirm" in (route.request.post_data or ""):
            route.fetch()  # the request reaches the server and is recorded …
            lost.append(route.request.url)
            route.abort("connectionreset")  # … but the reply never arrives
        else:
            route.continue_()

    voter.route("**/vote/**", drop_reply)
    voter.get_by_role("button", name="Gửi phiếu").click()
    expect(voter.locator("#vote-error")).to_contain_text("Chưa rõ phiếu đã được ghi nhận hay chưa")
    assert lost and VoteCast.objects.filter(poll=poll, unit=u[5]).exists()
    voter.unroute("**/vote/**")
    # Sending again is safe: the page shows the recorded ballot and its receipt, counted once.
    voter.get_by_role("button", name="Gửi phiếu").click()
    expect(voter.locator("#ballot-box")).to_contain_text("Phiếu của đơn vị đã được ghi nhận")
    recorded = VoteCast.objects.get(poll=poll, unit=u[5]).receipt
    expect(voter.locator("#receipt")).to_have_text(recorded)
    assert VoteCast.objects.filter(poll=poll).count() == 2

    # A wrong code: a clear message, nothing recorded.
    other = new_page(viewport={"width": 390, "height": 844})
    other.goto("/vote/")
    other.get_by_label("Mã phiếu bầu").fill("ABCDEFGHJK")
    other.get_by_role("button", name="Tiếp tục").click()
    expect(other.locator("#ballot-box")).to_contain_text("Mã phiếu bầu không đúng")
    # The server fails (500) on the last step: the voter is told the ballot may not be recorded.
    other.get_by_label("Mã phiếu bầu").fill(code6)
    other.get_by_role("button", name="Tiếp tục").click()
    other.get_by_label(u[3].name, exact=True).check()
    other.get_by_role("button", name="Xem lại phiếu").click()
    other.route(
        "**/vote/**",
        lambda route: (
            route.fulfill(status=500, body="Server Error")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    other.get_by_role("button", name="Gửi phiếu").click()
    expect(other.locator("#vote-error")).to_contain_text("Máy chủ gặp lỗi (mã 500)")
    expect(other.locator("#vote-error")).to_contain_text("Chưa rõ phiếu đã được ghi nhận")
    other.unroute("**/vote/**")
    other.get_by_role("button", name="Gửi phiếu").click()
    expect(other.locator("#receipt")).to_be_visible()

    services.poll_close(poll=Poll.objects.get(pk=poll.pk), confirm_low_turnout=True)
    counts = services.poll_counts(Poll.objects.get(pk=poll.pk))
    assert (counts.ballots, counts.blank) == (3, 1)
    # The console shows the failures staged above (404, 409, a reset, a 500, htmx's own notes
    # of them) and nothing else: no script error, no Content-Security-Policy violation.
    assert not [e for e in browser_errors if "Content Security Policy" in e or "Uncaught" in e], (
        browser_errors
    )
