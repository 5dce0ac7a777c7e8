"""The shortcuts that bring the secretary's day to 15 clicks (tests/feedback/test_click_count.py
counts them in Chromium): each one, and who does not get it."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Poll
from tests.meetings.conftest import cast, codes, make_meeting, make_poll, mark_present


def test_the_first_checkin_codes_need_no_confirmation_new_ones_do(client, world):
    meeting = make_meeting(world)
    client.force_login(world.secretary)
    url = reverse("meetings:attendance", args=[meeting.pk])
    form = re.search(r'<form[^>]*codes/"[^>]*>', client.get(url).text)
    assert form and "data-confirm" not in form.group(0)
    services.checkin_codes_issue(meeting=meeting)
    form = re.search(r'<form[^>]*codes/"[^>]*>', client.get(url).text)
    assert "Mã cũ sẽ hết hiệu lực" in form.group(0)


def test_the_checkin_sheet_leads_to_the_meetings_votes_not_yet_published(client, world):
    meeting = make_meeting(world)
    waiting = make_poll(meeting, candidates=world.units[1:3], title="Suy tôn Cờ thi đua")
    done = make_poll(meeting, candidates=world.units[1:3], title="Biểu quyết đã công bố")
    Poll.objects.filter(pk=done.pk).update(status=Poll.Status.PUBLISHED)
    services.checkin_codes_issue(meeting=meeting)
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:checkin_codes", args=[meeting.pk])).text
    assert reverse("meetings:poll_detail", args=[waiting.pk]) in page
    assert reverse("meetings:poll_detail", args=[done.pk]) not in page


def test_the_printed_ballot_codes_lead_back_to_the_vote(client, world):
    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    poll = make_poll(meeting, candidates=world.units[1:3])
    services.poll_open(poll=poll)
    client.force_login(world.secretary)
    page = client.post(
        reverse("meetings:poll_slips", args=[poll.pk]), {"units": [world.units[0].pk]}
    ).text
    assert "ballot-code" in page
    assert f'href="{reverse("meetings:poll_detail", args=[poll.pk])}"' in page


def test_one_click_prints_ballot_codes_for_the_units_without_account_code_or_vote(client, world):
    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    poll = make_poll(meeting, candidates=world.units[1:3])
    services.poll_open(poll=poll)
    services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    client.force_login(world.secretary)
    url = reverse("meetings:poll_detail", args=[poll.pk])
    page = client.get(url).text
    hidden = {int(v) for v in re.findall(r'name="units" value="(\d+)"', page)}
    # units[1] has a delegate account; units[3] has a code already.
    assert hidden == {u.pk for u in world.units} - {world.units[1].pk, world.units[3].pk}
    assert "In mã phiếu bầu (QR) cho 6 đơn vị" in page
    printed = client.post(reverse("meetings:poll_slips", args=[poll.pk]), {"units": sorted(hidden)})
    assert printed.text.count("ballot-code") >= 6
    assert 'name="units"' not in client.get(url).text  # everyone has a code now


def _published(world):
    meeting = make_meeting(
        world,
        ends_at=timezone.make_aware(dt.datetime(2024, 11, 21, 11, 30)),
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Thị Mai, Chánh Văn phòng Tòa án nhân dân tỉnh",
    )
    mark_present(meeting, world.units)
    poll = make_poll(meeting, candidates=world.units[1:3])
    services.poll_open(poll=poll)
    codes(poll)
    for unit in world.units:
        cast(poll, unit, marks=[poll.candidates.first().pk])
    services.poll_close(poll=poll)
    services.poll_publish(poll=poll)
    return meeting, poll


def test_after_publication_the_secretary_locks_the_minutes_from_the_vote(client, world):
    meeting, poll = _published(world)
    client.force_login(world.secretary)
    url = reverse("meetings:poll_detail", args=[poll.pk])
    page = client.get(url).text
    finalize = reverse("documents:finalize", args=["minutes", meeting.pk])
    assert f'action="{finalize}"' in page
    number = re.search(r'name="number" value="(\d+)"', page).group(1)
    response = client.post(finalize, {"next": url, "number": number})
    assert response.status_code == 302
    version_url = response["Location"]
    assert "/documents/v/" in version_url
    page = client.get(url).text
    assert f'action="{finalize}"' not in page
    assert f'href="{version_url}"' in page  # now: see it, attach the signed scan


def test_a_delegate_gets_no_minutes_button_on_the_vote(client, world):
    meeting, poll = _published(world)
    client.force_login(world.delegate)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).text
    assert reverse("documents:finalize", args=["minutes", meeting.pk]) not in page
    assert 'name="units"' not in page  # nor the one-click ballot codes
