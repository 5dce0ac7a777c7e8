"""Issue 9's rules: rounds for unfilled seats, low turnout at close, the per-bloc blank-ballot
rule, slips voided and reissued, wrong codes throttled, a closed poll's code, local dates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blocs.models import AuditEvent
from meetings import minutes, services, throttle
from meetings.models import Poll, PollCandidate, WrongCodes

from .conftest import cast, codes, make_meeting, make_poll, mark_present


def _cand(poll):
    return {c.unit_id: c.pk for c in poll.candidates.all()}


def test_a_50_50_split_for_one_seat_offers_a_new_round_between_the_two(world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:3], seats=1))
    cand = _cand(poll)
    for i, unit in enumerate(u):
        cast(poll, unit, [cand[u[i % 2].pk]])
    poll = services.poll_close(poll=poll)
    outcome = services.poll_outcome(poll)
    assert outcome.winners == [] and outcome.unfilled == 1 and not outcome.tied
    assert set(outcome.runoff) == {cand[u[0].pk], cand[u[1].pk]}  # not the one with 0 votes
    lines = {line.label: line for line in outcome.lines}
    assert lines[u[0].name].status == "runoff"
    assert (
        "không đạt ngưỡng trên 1/2 số phiếu hợp lệ; vào vòng bầu lại" in lines[u[0].name].sentence
    )
    runoff = services.poll_runoff_create(poll=poll)
    assert runoff.round_no == 2 and runoff.seats == 1 and runoff.previous == poll
    assert set(runoff.candidates.values_list("unit_id", flat=True)) == {u[0].pk, u[1].pk}
    # Round 2 splits again: the last round is over, the bloc's rule decides.
    runoff = services.poll_open(poll=runoff)
    cand2 = _cand(runoff)
    for i, unit in enumerate(u):
        cast(runoff, unit, [cand2[u[i % 2].pk]])
    runoff = services.poll_close(poll=runoff)
    with pytest.raises(ValidationError, match="Đã đủ 2 vòng"):
        services.poll_runoff_create(poll=runoff)
    assert services.decision_needed(runoff, services.poll_outcome(runoff))
    picked = PollCandidate.objects.get(poll=runoff, unit=u[1])
    services.poll_record_tie_break(
        poll=runoff, winners=[picked], decided_by="Khối trưởng và Khối phó", basis="Quy chế, Điều 8"
    )
    outcome = services.poll_outcome(Poll.objects.get(pk=runoff.pk))
    assert outcome.winners == [picked.pk] and not outcome.runoff
    chosen = next(line for line in outcome.lines if line.key == picked.pk)
    assert "được suy tôn theo quyết định của Khối trưởng và Khối phó" in chosen.sentence
    assert "trúng cử" not in chosen.sentence  # an honour vote, not an election


@pytest.mark.parametrize(
    "rule,expected",
    [("top_double", {0, 1, 2, 3}), ("tied_top", {0, 1}), ("all", {0, 1, 2, 3, 4})],
)
def test_who_goes_to_the_next_round_follows_the_blocs_rule(world, full_meeting, rule, expected):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:5], seats=2, max_marks=1))
    cand = _cand(poll)
    # 2, 2, 1, 1, 0 … of 8 with > 1/2 needed: both seats stay unfilled.
    plan = [0, 0, 1, 1, 2, 3, None, None]
    for unit, choice in zip(u, plan, strict=True):
        cast(poll, unit, [cand[u[choice].pk]] if choice is not None else [])
    Poll.objects.filter(pk=poll.pk).update(runoff_rule=rule)
    poll = services.poll_close(poll=Poll.objects.get(pk=poll.pk))
    outcome = services.poll_outcome(poll)
    assert outcome.runoff_seats == 2
    assert set(outcome.runoff) == {cand[u[i].pk] for i in expected}


def test_closing_below_the_quorum_needs_confirmation_and_the_result_says_so(
    client, world, full_meeting
):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    cast(poll, u[0], [_cand(poll)[u[0].pk]])
    with pytest.raises(services.LowTurnout, match="1/8 đơn vị bỏ phiếu, dưới túc số 6"):
        services.poll_close(poll=poll)
    client.force_login(world.secretary)
    url = reverse("meetings:poll_close", args=[poll.pk])
    page = client.get(url).content.decode()
    assert '<strong id="turnout">1/8</strong> đơn vị đã bỏ phiếu' in page
    assert "dưới túc số (6 đơn vị)" in page
    assert client.post(url, {}).status_code == 422
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN
    assert client.post(url, {"confirm_low_turnout": "on"}).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    result = services.poll_result(poll)
    assert "chỉ 1/8 đơn vị bỏ phiếu, dưới túc số 6 đơn vị" in result.low_turnout
    event = AuditEvent.objects.get(action="poll.close")
    assert event.data["low_turnout_confirmed"] is True and event.actor == world.secretary


def test_the_blocs_blank_ballot_rule_decides_whether_blank_ballots_are_valid(world, meeting):
    bloc = world.bloc
    bloc.blank_ballot_valid = False
    bloc.blank_ballot_basis = "Quy chế hoạt động của Khối, Điều 12"
    bloc.save()
    mark_present(meeting, world.units)
    u = world.units
    poll = services.poll_open(poll=make_poll(meeting, u[:2]))
    assert poll.blank_valid is False
    cand = _cand(poll)
    for i, unit in enumerate(u):
        cast(poll, unit, [cand[u[0].pk]] if i < 4 else [])
    poll = services.poll_close(poll=poll)
    result = services.poll_result(poll)
    # 4 blank ballots are invalid here: 4 of 4 valid ballots, elected.
    assert (result.returned, result.blank, result.invalid, result.valid) == (8, 4, 4, 4)
    assert result.winners == (u[0].name,)
    assert result.blank_rule == (
        "Phiếu trắng là phiếu không hợp lệ (căn cứ: Quy chế hoạt động của Khối, Điều 12)."
    )
    line = minutes.poll_line(poll)  # what the minutes print: blank ballots counted, not hidden
    assert (line.returned, line.valid, line.invalid, line.blank) == (8, 4, 4, 4)
    assert line.blank_valid is False and line.digest == poll.seal_digest


def test_a_slip_is_voided_and_reissued_for_a_unit_that_has_not_voted(world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    (first,) = services.poll_slips_issue(poll=poll, unit_ids=[u[3].pk], actor=world.secretary)
    (second,) = services.poll_slips_issue(poll=poll, unit_ids=[u[3].pk], actor=world.secretary)
    assert first.code != second.code and second.reissued
    assert services.voter_for_code(first.code) is None  # the old slip is void
    assert services.voter_for_code(second.code.lower()).unit_id == u[3].pk
    services.ballot_cast(code=second.code, blank=True)
    with pytest.raises(ValidationError, match="đã bỏ phiếu"):
        services.poll_slips_issue(poll=poll, unit_ids=[u[3].pk], actor=world.secretary)
    events = AuditEvent.objects.filter(action="poll.slips").order_by("id")
    assert [e.actor for e in events] == [world.secretary, world.secretary]
    assert "hủy mã cũ và phát lại" in events[1].summary
    # Only a keyed hash is stored: the code itself is nowhere in the roll or the audit log.
    voter = poll.voters.get(unit=u[3])
    assert voter.code_hash and second.code not in voter.code_hash
    assert not any(second.code in str(e.data) + e.summary for e in AuditEvent.objects.all())


def test_wrong_codes_are_throttled_per_client_and_per_poll(world, full_meeting, settings):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    good = codes(poll)[world.units[0].pk]
    url = reverse("meetings:vote_poll", args=[poll.pk])
    c = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(throttle.CLIENT_LIMIT):
        assert c.post(url, {"code": f"WRONG{i:05d}"}).status_code == 404
    blocked = c.post(url, {"code": good})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()
    # Another client is not blocked by the first one …
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(url, {"code": good}).status_code == 200
    # … but guessing at one poll from many addresses is capped per poll.
    WrongCodes.objects.all().delete()
    for i in range(throttle.POLL_LIMIT):
        Client(REMOTE_ADDR=f"10.1.{i // 200}.{i % 200}").post(url, {"code": f"GUESS{i:05d}"})
    fresh = Client(REMOTE_ADDR="10.9.9.9").post(url, {"code": good})
    assert fresh.status_code == 429


def test_a_closed_polls_code_shows_only_the_public_bulletin(world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    code = codes(poll)[u[4].pk]
    for unit in u:
        cast(poll, unit, [_cand(poll)[u[0].pk]])
    services.poll_close(poll=poll)
    closed = Client().post(reverse("meetings:vote"), {"code": code}).content.decode()
    assert "Biểu quyết đã kết thúc" in closed and u[4].name not in closed
    services.poll_publish(poll=poll)
    published = Client().post(reverse("meetings:vote"), {"code": code})
    assert published.status_code == 302
    assert published["Location"] == reverse("meetings:poll_bulletin", args=[poll.pk])


def test_codes_never_appear_in_a_url(world, full_meeting, client):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    client.force_login(world.secretary)
    printed = client.post(
        reverse("meetings:poll_slips", args=[poll.pk]),
        {"units": [u.pk for u in world.units]},
    )
    assert printed["Cache-Control"] == "no-store"
    html = printed.content.decode()
    vote_url = reverse("meetings:vote_poll", args=[poll.pk])
    shown = re.findall(r'class="ballot-code">([A-Z0-9]+)<', html)
    assert len(shown) == 8
    hrefs = re.findall(r'(?:href|action|src)="([^"]*)"', html)
    assert not any(code in href for code in shown for href in hrefs if not href.startswith("data:"))
    assert f"{vote_url}" in html  # the printed address, with the code typed or in the QR's fragment


def test_meeting_str_prints_the_local_date(world):
    meeting = make_meeting(
        world, starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 6, 0))
    )  # 06:00 in Hà Nội is 23:00 the day before in UTC
    assert str(meeting) == "Hội nghị tổng kết năm 2024 (21/11/2024)"
