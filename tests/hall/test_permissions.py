"""Role × view matrix for the hall screen: `screen` needs no login (public values only, see
hall.services); `console` and `show` belong to those who run the bloc's meetings."""

import pytest
from django.urls import reverse

from hall.services import screen_key


@pytest.mark.parametrize(
    "who,console,show",
    [
        ("superuser", 200, 302),
        ("office", 200, 302),
        ("secretary", 200, 302),
        ("delegate", 403, 403),
        ("other_office", 404, 404),
        ("outsider", 404, 404),
        ("nobody", 404, 404),
    ],
)
def test_console_and_show_by_role(client, world, full_meeting, who, console, show):
    client.force_login(world.users()[who])
    assert client.get(reverse("hall:console", args=[full_meeting.pk])).status_code == console
    assert (
        client.post(reverse("hall:show", args=[full_meeting.pk]), {"active": "on"}).status_code
        == show
    )
    assert (
        client.get(
            reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)])
        ).status_code
        == 200
    )  # the screen itself: anyone
