"""Helpers for meetings tests: a meeting of the world's bloc with attendance and polls."""

import datetime as dt

import pytest
from django.utils import timezone

from awards.models import AwardTitle
from meetings import services
from meetings.models import Attendance, Poll


def make_meeting(world, **fields):
    defaults = {
        "kind": "yearend",
        "title": "Hội nghị tổng kết năm 2024",
        "starts_at": timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
        "place": "Hội trường",
    }
    defaults.update(fields)
    return services.meeting_create(bloc_year=world.bloc_year, **defaults)


def mark_present(meeting, units):
    for unit in units:
        services.attendance_mark(meeting=meeting, unit=unit, status=Attendance.Status.PRESENT)


def award_title(code="bang-khen-ubnd-tinh", name="Bằng khen của Chủ tịch UBND tỉnh"):
    title, _ = AwardTitle.objects.get_or_create(code=code, defaults={"name": name})
    return title


def make_poll(meeting, candidates=None, **fields):
    defaults = {
        "kind": Poll.Kind.AWARD,
        "title": "Suy tôn Bằng khen",
        "mode": Poll.Mode.SECRET,
        "seats": 1,
        "max_marks": 1,
    }
    defaults.update(fields)
    if defaults["kind"] == Poll.Kind.AWARD and "award_title" not in defaults:
        defaults["award_title"] = award_title()
    return services.poll_create(meeting=meeting, candidates=candidates or [], **defaults)


_CODES: dict = {}


def codes(poll):
    """{unit id: one-time code}: prints a slip for every unit of the roll the first time (the
    app keeps only a keyed hash, so the test keeps the codes it was shown)."""
    key = (poll.pk, poll.opened_at)
    if key not in _CODES:
        slips = services.poll_slips_issue(
            poll=poll, unit_ids=list(poll.voters.values_list("unit_id", flat=True)), actor=None
        )
        _CODES[key] = {s.voter.unit_id: s.code for s in slips}
    return _CODES[key]


def cast(poll, unit, marks=(), choice=""):
    """The unit votes (an empty ballot is an explicit blank one)."""
    voter = poll.voters.select_related("poll").get(unit=unit)
    return services.ballot_cast(
        voter=voter, marks=list(marks), choice=choice, blank=not (marks or choice)
    )


@pytest.fixture
def meeting(world):
    return make_meeting(world)


@pytest.fixture
def full_meeting(world):
    """A meeting with all 8 member units present."""
    m = make_meeting(world)
    mark_present(m, world.units)
    return m
