"""The hall screen: no login, only public values; during a poll "k / n đơn vị đã bỏ phiếu" and
never a partial result; results only after publication; it follows the secretary's actions."""

import re

from django.urls import reverse

from hall import services
from hall.models import ScreenState
from hall.services import screen_key
from meetings import services as meeting_services
from meetings.models import AgendaItem, Ballot

from .conftest import codes, make_poll


def _show(client, meeting, **data):
    return client.post(reverse("hall:show", args=[meeting.pk]), data)


def _screen(client, meeting, **params):
    return client.get(reverse("hall:screen", args=[meeting.pk, screen_key(meeting.pk)]), params)


def test_nothing_is_shown_until_the_secretary_switches_the_screen_on(client, world, full_meeting):
    page = _screen(client, full_meeting)
    assert page.status_code == 200
    assert "Màn hình trình chiếu chưa được bật" in page.text
    assert full_meeting.title not in page.text
    client.force_login(world.secretary)
    assert _show(client, full_meeting, active="on").status_code == 302
    client.logout()
    shown = _screen(client, full_meeting).text
    assert full_meeting.title in shown and "Chào mừng các đại biểu" in shown


def test_attendance_shows_counts_quorum_and_present_units_but_no_names_of_people(
    client, world, meeting
):
    from tests.meetings.conftest import mark_present

    mark_present(meeting, world.units[:5])
    meeting_services.attendance_mark(
        meeting=meeting, unit=world.units[0], status="present", delegates="Nguyễn Văn Bí Mật"
    )
    meeting_services.attendance_mark(
        meeting=meeting, unit=world.units[6], status="absent", reason="Lý do riêng tư"
    )
    services.screen_show(meeting=meeting, actor=world.secretary, view="attendance")
    text = _screen(client, meeting).text
    assert re.search(r"<strong>5</strong> / 8", text)
    assert "Đủ túc số (cần 6 đơn vị)" not in text and "Chưa đủ túc số (cần 6 đơn vị)" in text
    assert world.units[1].name in text and world.units[6].name not in text
    assert "Nguyễn Văn Bí Mật" not in text and "Lý do riêng tư" not in text


def test_an_open_poll_shows_only_how_many_have_voted_never_partial_results(
    client, world, full_meeting
):
    poll = make_poll(full_meeting, world.units[:3], title="Suy tôn Cờ thi đua")
    poll = meeting_services.poll_open(poll=poll)
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="poll", poll=poll)
    candidates = {c.unit_id: c.pk for c in poll.candidates.all()}
    ballot_codes = codes(poll)
    receipts = [
        meeting_services.ballot_cast(code=ballot_codes[u.pk], marks=[candidates[world.units[0].pk]])
        for u in world.units[:5]
    ]
    text = _screen(client, full_meeting).text
    assert re.search(r"<strong>5</strong> / 8", text) and "đơn vị đã bỏ phiếu" in text
    for secret in [*receipts, *ballot_codes.values()]:
        assert secret not in text
    assert "Đạt " not in text and "Trúng cử" not in text
    meeting_services.poll_close(poll=poll, confirm_low_turnout=True)
    closed = _screen(client, full_meeting).text
    assert "Kết quả sẽ hiện khi được công bố" in closed and "Đạt " not in closed
    meeting_services.poll_publish(poll=poll)
    published = _screen(client, full_meeting).text
    # An honour vote (suy tôn): its unit "được suy tôn"; "trúng cử" is for elections only.
    assert "Được suy tôn" in published and "rúng cử" not in published
    assert "Đạt 5/5 phiếu (100%)" in published
    for receipt in receipts:
        assert receipt not in published
    assert Ballot.objects.filter(poll=poll).count() == 5


def _screen_chart(html: str):
    from tests.charts.conftest import bars, inline_svgs, parse

    (svg,) = inline_svgs(html)
    root = parse(svg)
    return root, sorted(bars(root), key=lambda b: b["y"])


def test_the_votes_chart_appears_on_the_screen_only_after_publication(client, world, full_meeting):
    """Open: a progress bar of who has voted, no chart. Closed: nothing. Published: the votes
    per candidate against the threshold line, the same numbers as the result lines."""
    from tests.charts.conftest import SVG

    u = world.units
    poll = meeting_services.poll_open(poll=make_poll(full_meeting, u[:2], title="Suy tôn Cờ"))
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="poll", poll=poll)
    candidates = {c.unit_id: c.pk for c in poll.candidates.all()}
    ballot_codes = codes(poll)
    for unit, choice in zip(u[:7], [u[0]] * 5 + [u[1]] * 2, strict=True):
        meeting_services.ballot_cast(code=ballot_codes[unit.pk], marks=[candidates[choice.pk]])
    during = _screen(client, full_meeting).text
    assert re.search(r'<progress class="stage-progress" max="8" value="7"', during)
    assert 'class="kt-chart' not in during and "charts.css" not in during
    meeting_services.poll_close(poll=poll, confirm_low_turnout=True)
    closed = _screen(client, full_meeting).text
    assert 'class="kt-chart' not in closed and "<progress" not in closed
    meeting_services.poll_publish(poll=poll)
    published = _screen(client, full_meeting).text
    assert "Đạt 5/7 phiếu (71,43%)" in published and "Đạt 2/7 phiếu (28,57%)" in published
    assert re.search(r"<link rel=\"stylesheet\" href=\"[^\"]*charts[^\"]*\.css\">", published)
    root, segs = _screen_chart(published)
    assert root.get("role") == "img" and "kt-chart" in root.get("class")
    # one bar per candidate, top-down as the lines, widths in proportion to the votes
    assert [b["title"].split(":")[0] for b in segs] == [u[0].name, u[1].name]
    assert segs[0]["title"] == f"{u[0].name}: " + next(
        line.sentence for line in services.stage(full_meeting).poll.lines if line.votes == 5
    )
    assert abs(segs[1]["width"] / segs[0]["width"] - 2 / 5) < 0.01
    line = next(g for g in root.iter(f"{SVG}g") if "kt-line-threshold" in g.get("class", ""))
    assert line.find(f"{SVG}text").text == "Ngưỡng: trên 1/2 số phiếu hợp lệ (3,5 phiếu)"
    x = float(re.match(r"M([\d.]+) ", line.find(f"{SVG}path").get("d")).group(1))
    assert abs((x - segs[0]["x"]) - segs[0]["width"] * 3.5 / 5) < 0.5
    # nothing on the chart says who voted how: no receipt, no code, no link
    assert root.find(f".//{SVG}a") is None
    for code in ballot_codes.values():
        assert code not in published


def test_an_unchanged_published_screen_still_answers_204(client, world, full_meeting):
    """The chart is drawn from data in the fingerprint: the same result gives the same hash."""
    poll = meeting_services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    ballot_codes = codes(poll)
    for unit in world.units[:6]:
        meeting_services.ballot_cast(code=ballot_codes[unit.pk], marks=[cand[world.units[0].pk]])
    meeting_services.poll_close(poll=poll)
    meeting_services.poll_publish(poll=poll)
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="poll", poll=poll)
    assert services.stage(full_meeting).poll.votes is not None
    first = _screen(client, full_meeting)
    fingerprint = re.search(r"\?h=([0-9a-f]{16})", first.text).group(1)
    again = client.get(
        reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)]),
        {"h": fingerprint},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 204


def test_an_unchanged_screen_answers_204_to_the_poll_and_a_change_sends_the_new_stage(
    client, world, full_meeting
):
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="welcome")
    first = client.get(
        reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)]),
        headers={"HX-Request": "true"},
    )
    fingerprint = re.search(r"\?h=([0-9a-f]{16})", first.text).group(1)
    same = client.get(
        reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)]),
        {"h": fingerprint},
        headers={"HX-Request": "true"},
    )
    assert same.status_code == 204
    item = meeting_services.agenda_item_save(
        item=AgendaItem(
            meeting=full_meeting, title="Báo cáo tổng kết năm", speaker="Chánh Thanh tra"
        )
    )
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="agenda", item=item)
    changed = client.get(
        reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)]),
        {"h": fingerprint},
        headers={"HX-Request": "true"},
    )
    assert changed.status_code == 200
    assert changed.text.lstrip().startswith('<div id="stage"')  # the fragment, not a page
    assert "Báo cáo tổng kết năm" in changed.text and "Nội dung 1/1" in changed.text
    assert "no-store" in changed["Cache-Control"]


def test_a_deleted_agenda_item_falls_back_to_the_welcome_view(client, world, full_meeting):
    item = meeting_services.agenda_item_save(item=AgendaItem(meeting=full_meeting, title="Tạm"))
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="agenda", item=item)
    meeting_services.agenda_item_remove(item=item)
    text = _screen(client, full_meeting).text
    assert "Chào mừng các đại biểu" in text


def test_the_secretary_cannot_show_another_meetings_poll(client, world, full_meeting):
    other = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind="other",
        title="Hội nghị khác",
        starts_at=full_meeting.starts_at,
    )
    foreign = make_poll(other, world.units[:2])
    client.force_login(world.secretary)
    response = _show(client, full_meeting, view="poll", poll=foreign.pk)
    assert response.status_code == 404
    assert not ScreenState.objects.filter(meeting=full_meeting).exists()


def test_every_change_of_the_screen_is_audited(client, world, full_meeting):
    from blocs.models import AuditEvent

    client.force_login(world.secretary)
    _show(client, full_meeting, view="attendance")
    _show(client, full_meeting, active="off")
    summaries = list(
        AuditEvent.objects.filter(action="meeting.screen")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert summaries == ["Màn hình trình chiếu: Điểm danh và túc số", "Tắt màn hình trình chiếu"]


def test_the_screen_of_an_unknown_meeting_is_404(client, db):
    assert client.get(reverse("hall:screen", args=[987654, screen_key(987654)])).status_code == 404


def test_meeting_and_poll_pages_offer_show_on_screen_to_the_secretary_only(
    client, world, full_meeting
):
    item = meeting_services.agenda_item_save(item=AgendaItem(meeting=full_meeting, title="Báo cáo"))
    poll = make_poll(full_meeting, world.units[:2])
    meeting_url = reverse("meetings:meeting_detail", args=[full_meeting.pk])
    poll_url = reverse("meetings:poll_detail", args=[poll.pk])
    client.force_login(world.secretary)
    page = client.get(meeting_url).text
    assert reverse("hall:console", args=[full_meeting.pk]) in page
    assert reverse("notices:meeting_invitations", args=[full_meeting.pk]) in page
    assert f'name="item" value="{item.pk}"' in page
    assert "Chiếu lên màn hình" in client.get(poll_url).text
    shown = client.post(
        reverse("hall:show", args=[full_meeting.pk]),
        {"view": "agenda", "item": item.pk, "next": meeting_url},
    )
    assert shown["Location"] == meeting_url  # back where the button was
    client.force_login(world.delegate)
    assert "hall:show" not in client.get(meeting_url).text
    assert reverse("hall:show", args=[full_meeting.pk]) not in client.get(meeting_url).text
    assert "Chiếu lên màn hình" not in client.get(poll_url).text


def test_a_tampered_tally_is_refused_on_the_screen_too(client, world, full_meeting):
    poll = meeting_services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    ballot_codes = codes(poll)
    for unit in world.units[:6]:
        meeting_services.ballot_cast(code=ballot_codes[unit.pk], marks=[cand[world.units[0].pk]])
    meeting_services.poll_close(poll=poll)
    meeting_services.poll_publish(poll=poll)
    services.screen_show(meeting=full_meeting, actor=world.secretary, view="poll", poll=poll)
    assert "Đạt 6/6 phiếu" in _screen(client, full_meeting).text
    first = Ballot.objects.filter(poll=poll).values_list("id", flat=True)[:1]
    Ballot.objects.filter(pk__in=list(first)).update(marks=[cand[world.units[1].pk]])
    page = _screen(client, full_meeting)
    assert page.status_code == 200
    assert 'class="stage-tampered" role="alert"' in page.text
    assert "Dữ liệu phiếu đã bị thay đổi sau khi kết thúc" in page.text
    assert "Đạt " not in page.text and 'class="kt-chart' not in page.text


def test_the_screen_address_cannot_be_guessed_from_the_meeting_id(client, world, full_meeting):
    """An outsider who knows (or counts up to) a meeting id gets 404 without the console's key,
    with a key of another meeting, or with a truncated key; the console's address works."""
    other = full_meeting.pk + 1
    good = screen_key(full_meeting.pk)
    for key in ["x", good[:-1], good.upper(), screen_key(other), "0" * len(good)]:
        url = reverse("hall:screen", args=[full_meeting.pk, key])
        assert client.get(url).status_code == 404, key
    client.force_login(world.secretary)
    console = client.get(reverse("hall:console", args=[full_meeting.pk])).text
    shown = re.search(rf"/meetings/{full_meeting.pk}/screen/([0-9a-f]+)/", console).group(1)
    assert shown == good
    client.logout()
    assert client.get(reverse("hall:screen", args=[full_meeting.pk, shown])).status_code == 200
