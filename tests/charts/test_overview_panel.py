"""The dashboard's province overview comes after the page (issue 15): the dashboard renders a
place for it, htmx loads charts:overview_panel into it. The panel answers as the overview page
does: office staff only (403), their own provinces only (404), login first. Its role × view
row is in test_permissions.py."""

import pytest
from django.urls import reverse

from .conftest import bars, inline_svgs

HTMX = {"HX-Request": "true"}


def _slot(html: str) -> str:
    start = html.index('<section class="card" id="overview-panel"')
    return html[start : html.index("</section>", start)]


def test_the_dashboard_keeps_a_place_that_loads_the_panel_with_the_filters(client, world):
    client.force_login(world.office)
    html = client.get(
        reverse("dashboard") + f"?year=2024&organizer={world.organizer.pk}"
    ).content.decode()
    slot = _slot(html)
    panel = f"{reverse('charts:overview_panel')}?year=2024&amp;organizer={world.organizer.pk}"
    assert f'hx-get="{panel}"' in slot
    assert 'hx-trigger="load"' in slot and 'hx-swap="outerHTML"' in slot
    assert 'aria-busy="true"' in slot and "Tổng quan năm 2024" in slot
    # without JavaScript: a link to the overview page with the same filters
    overview = f"{reverse('charts:overview')}?year=2024&amp;organizer={world.organizer.pk}"
    assert f'href="{overview}"' in slot
    # the page itself draws no chart: it does not wait for the overview's counts
    assert inline_svgs(html) == []


def test_without_a_year_filter_the_place_asks_for_this_years_overview(client, world):
    from django.utils import timezone

    client.force_login(world.office)
    slot = _slot(client.get(reverse("dashboard")).content.decode())
    year = timezone.localdate().year
    assert f'hx-get="{reverse("charts:overview_panel")}?year={year}"' in slot


def test_the_panel_is_the_overview_section_with_its_three_charts(client, world):
    client.force_login(world.office)
    response = client.get(reverse("charts:overview_panel") + "?year=2024", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="overview-panel"')
    assert "aria-busy" not in html  # the loaded panel replaces the busy place
    keys = ("giai-doan-2024-all", "tre-han-2024-all", "khen-thuong-2024-all")
    for key in keys:
        assert f'id="fig-{key}"' in html
    stages = next(s for s in inline_svgs(html) if 'id="chart-giai-doan-2024-all"' in s)
    from .conftest import parse

    # the one 2024 bloc-year of the office's province, which has signed nothing yet
    assert [b["title"] for b in bars(parse(stages))] == ["Chưa ký giao ước: 1 (100%)"]


@pytest.mark.parametrize("role", ["office", "outsider", "nobody"])
def test_another_provinces_panel_is_404_and_shows_nothing(client, world, role):
    client.force_login(world.users()[role])
    url = reverse("charts:overview_panel") + f"?year=2024&organizer={world.other_organizer.pk}"
    response = client.get(url, headers=HTMX)
    assert response.status_code == (404 if role == "office" else 403)
    assert 'id="chart-' not in response.content.decode()


def test_the_panel_sends_an_anonymous_visitor_to_the_login_page(client, world):
    url = reverse("charts:overview_panel") + "?year=2024"
    # htmx's request: the whole window goes to the login page (HX-Redirect), no chart
    response = client.get(url, headers=HTMX)
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert 'id="chart-' not in response.content.decode()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_opened_without_htmx_the_panel_sends_the_reader_to_the_overview_page(client, world):
    client.force_login(world.office)
    url = reverse("charts:overview_panel") + f"?year=2024&organizer={world.organizer.pk}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("charts:overview") + f"?year=2024&organizer={world.organizer.pk}"
    )
    # ... and only after the same checks: a delegate gets 403, not a redirect
    client.force_login(world.delegate)
    assert client.get(url).status_code == 403
