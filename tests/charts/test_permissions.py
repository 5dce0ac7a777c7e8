"""View × role matrix for the charts: each export answers exactly as the page it comes from.

The overview is for office staff (403 for the other roles); asking for another province's
overview is 404. Exports of a bloc, unit or poll the user may not see are 404, never a chart.
"""

import pytest
from django.urls import reverse

from .conftest import publish_paper_poll

ROLES = ["superuser", "office", "secretary", "delegate", "other_office", "outsider", "nobody"]


def _status(client, user, url):
    client.force_login(user)
    status = client.get(url).status_code
    client.logout()
    return status


@pytest.mark.parametrize("role", ROLES)
def test_ranking_export_answers_as_the_ranking_page_does(client, world, ranked, role):
    user = world.users()[role]
    page = _status(client, user, reverse("awards:ranking", args=[ranked.pk]))
    export = _status(
        client, user, reverse("charts:ranking_export", args=[ranked.pk, "ranking"]) + "?format=svg"
    )
    assert export == page
    if role in ("other_office", "outsider", "nobody"):
        assert export == 404


@pytest.mark.parametrize("role", ROLES)
def test_unit_export_answers_as_the_unit_page_does(client, world, ranked, role):
    user = world.users()[role]
    unit = world.units[0]
    page = _status(client, user, reverse("blocs:unit_detail", args=[unit.pk]))
    export = _status(client, user, reverse("charts:unit_export", args=[unit.pk]) + "?format=svg")
    assert export == page
    if role in ("other_office", "nobody"):
        assert export == 404


@pytest.mark.parametrize("role", ROLES)
def test_poll_export_answers_as_the_poll_page_does(client, world, role):
    poll = publish_paper_poll(world, [6, 1])
    user = world.users()[role]
    page = _status(client, user, reverse("meetings:poll_detail", args=[poll.pk]))
    export = _status(client, user, reverse("charts:poll_export", args=[poll.pk]) + "?format=svg")
    assert export == page
    if role in ("other_office", "outsider", "nobody"):
        assert export == 404


OVERVIEW = {
    "superuser": 200,
    "office": 200,
    "other_office": 200,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_overview_and_its_exports_are_for_office_staff(client, world, role):
    user = world.users()[role]
    assert _status(client, user, reverse("charts:overview") + "?year=2024") == OVERVIEW[role]
    url = reverse("charts:overview_export", args=["stages"]) + "?year=2024&format=svg"
    assert _status(client, user, url) == OVERVIEW[role]
    if OVERVIEW[role] == 200:
        # no award and nobody late in this world: an empty chart has nothing to export
        for name in ("late", "awards"):
            url = reverse("charts:overview_export", args=[name]) + "?year=2024&format=svg"
            assert _status(client, user, url) == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboards_overview_panel_answers_as_the_overview_page_does(client, world, role):
    """charts:overview_panel, the panel that the dashboard loads with htmx."""
    client.force_login(world.users()[role])
    url = reverse("charts:overview_panel") + "?year=2024"
    panel = client.get(url, headers={"HX-Request": "true"})
    assert panel.status_code == OVERVIEW[role]
    assert ('id="chart-' in panel.content.decode()) == (OVERVIEW[role] == 200)


def test_office_cannot_ask_for_another_provinces_overview(client, world):
    url = reverse("charts:overview") + f"?year=2024&organizer={world.other_organizer.pk}"
    assert _status(client, world.office, url) == 404
    assert _status(client, world.other_office, url) == 200
    panel = reverse("charts:overview_panel") + f"?year=2024&organizer={world.other_organizer.pk}"
    client.force_login(world.office)
    assert client.get(panel, headers={"HX-Request": "true"}).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world, ranked):
    for url in (
        reverse("charts:overview"),
        reverse("charts:ranking_export", args=[ranked.pk, "ranking"]),
        reverse("charts:unit_export", args=[world.units[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
