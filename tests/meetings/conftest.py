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


def codes(poll):
    return {v.unit_id: v.code for v in poll.voters.all()}


@pytest.fixture
def meeting(world):
    return make_meeting(world)


@pytest.fixture
def full_meeting(world):
    """A meeting with all 8 member units present."""
    m = make_meeting(world)
    mark_present(m, world.units)
    return m
