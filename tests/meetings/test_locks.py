"""Meeting services lock only the rows they change (PostgreSQL): a check-in, an attendance mark
or a poll opening in progress never makes a sibling check-in, or the meeting row, wait."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Meeting
from tests.factories import make_bloc_year
from tests.locking import in_other_connection

from .conftest import make_poll

pytestmark = [pytest.mark.postgres]


def _meeting():
    bloc_year = make_bloc_year(8)
    return services.meeting_create(
        bloc_year=bloc_year,
        kind="yearend",
        title="Tổng kết",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8)),
    )


def _lock_meeting_row(meeting_id):
    return lambda: Meeting.objects.select_for_update(nowait=False).get(pk=meeting_id)


@pytest.mark.django_db(transaction=True)
def test_a_check_in_in_progress_does_not_hold_up_another_units_check_in_or_the_meeting():
    meeting = _meeting()
    services.checkin_codes_issue(meeting=meeting)
    a, b = list(meeting.attendances.order_by("unit_id"))[:2]
    with transaction.atomic():
        services.checkin_with_code(code=a.checkin_code)  # its row lock is held until we leave
        sibling = in_other_connection(lambda: services.checkin_with_code(code=b.checkin_code))
        meeting_row = in_other_connection(_lock_meeting_row(meeting.pk))
        same_row = in_other_connection(lambda: Attendance.objects.select_for_update().get(pk=a.pk))
    assert (sibling, meeting_row) == ("ok", "ok")
    assert same_row == "waited"  # the test can see a lock: the row checked in is locked
    assert Attendance.objects.get(pk=b.pk).status == Attendance.Status.PRESENT


@pytest.mark.django_db(transaction=True)
def test_marking_attendance_locks_only_that_units_row():
    meeting = _meeting()
    units = services.member_units(meeting)
    services.checkin_codes_issue(meeting=meeting)
    other = meeting.attendances.get(unit=units[1])
    with transaction.atomic():
        services.attendance_mark(meeting=meeting, unit=units[0], status="present")
        sibling = in_other_connection(lambda: services.checkin_with_code(code=other.checkin_code))
        meeting_row = in_other_connection(_lock_meeting_row(meeting.pk))
    assert (sibling, meeting_row) == ("ok", "ok")


@pytest.mark.django_db(transaction=True)
def test_opening_a_poll_locks_the_poll_only_not_the_meeting_bloc_or_year():
    meeting = _meeting()
    units = services.member_units(meeting)
    meeting.attendances.exclude(unit=units[7]).update(status=Attendance.Status.PRESENT)
    services.checkin_codes_issue(meeting=meeting)
    late = meeting.attendances.get(unit=units[7])
    poll = make_poll(meeting, units[:2])
    by = meeting.bloc_year
    with transaction.atomic():
        services.poll_open(poll=poll)
        checkin = in_other_connection(lambda: services.checkin_with_code(code=late.checkin_code))
        meeting_row = in_other_connection(_lock_meeting_row(meeting.pk))
        bloc_row = in_other_connection(
            lambda: type(by.bloc).objects.select_for_update().get(pk=by.bloc_id)
        )
        year_row = in_other_connection(lambda: type(by).objects.select_for_update().get(pk=by.pk))
    assert (checkin, meeting_row, bloc_row, year_row) == ("ok", "ok", "ok", "ok")
