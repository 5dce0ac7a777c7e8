"""View × role matrix for notices: the Giấy mời page is for those who run the bloc's meetings;
delegates of member units get 403, other provinces 404; a reminder rule is changed by office
staff only; everyone sees only their own notifications."""

import pytest
from django.urls import reverse

from notices import services
from notices.models import Notification

RUN = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
RULE_POST = RUN | {"office": 302, "superuser": 302, "secretary": 403}


@pytest.mark.parametrize("who", sorted(RUN))
def test_meeting_invitations_and_bloc_reminders_by_role(client, world, meeting, who):
    client.force_login(world.users()[who])
    url = reverse("notices:meeting_invitations", args=[meeting.pk])
    assert client.get(url).status_code == RUN[who]
    assert client.post(url, {"action": "guests"}).status_code in (
        {200: 302}.get(RUN[who], RUN[who]),
    )
    rules = reverse("notices:bloc_reminders", args=[world.bloc.pk])
    assert client.get(rules).status_code == RUN[who]
    posted = client.post(rules, {"enabled": "on", "days_before": "5"})
    assert posted.status_code == RULE_POST[who]


@pytest.mark.parametrize("who", ["office", "delegate", "nobody"])
def test_notifications_are_personal(client, world, who):
    user = world.users()[who]
    mine = services.notify(users=[user], kind="reminder", title="Của tôi") and (
        Notification.objects.get(user=user)
    )
    theirs = services.notify(users=[world.secretary], kind="reminder", title="Của người khác")
    assert theirs == 1
    other = Notification.objects.get(user=world.secretary)
    client.force_login(user)
    page = client.get(reverse("notices:notification_list"))
    assert page.status_code == 200
    assert "Của tôi" in page.text and "Của người khác" not in page.text
    assert client.get(reverse("notices:notification_open", args=[other.pk])).status_code == 404
    assert client.get(reverse("notices:notification_open", args=[mine.pk])).status_code == 302
    assert client.post(reverse("notices:notifications_read")).status_code == 302
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_visitors_are_sent_to_login(client, world, meeting):
    for url in (
        reverse("notices:notification_list"),
        reverse("notices:meeting_invitations", args=[meeting.pk]),
        reverse("notices:bloc_reminders", args=[world.bloc.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
