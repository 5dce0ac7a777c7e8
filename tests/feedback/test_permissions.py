"""Role × view matrix for the day-of-meeting shortcuts added to other apps' pages (issue 13):
office staff and the bloc's secretary may use them; a delegate gets 403; other provinces 404."""

import pytest
from django.urls import reverse

from tests.meetings.conftest import make_meeting

RUN_POST = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("who", sorted(RUN_POST))
def test_attendance_all_present_by_role(client, world, who):
    meeting = make_meeting(world)
    client.force_login(world.users()[who])
    response = client.post(reverse("meetings:attendance_all_present", args=[meeting.pk]))
    assert response.status_code == RUN_POST[who]
    present = meeting.attendances.filter(status="present").count()
    assert present == (8 if RUN_POST[who] == 302 else 0)
