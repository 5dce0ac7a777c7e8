"""Every chart in Chromium at a desktop and a phone size, under the app's real CSP.

Screenshots of each chart go to test-artifacts/charts/ (always: they are looked at).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from awards.models import Deadline
from tests.e2e.conftest import browser, browser_errors, new_page  # noqa: F401 - fixtures

from .conftest import publish_paper_poll

pytestmark = [pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "charts"
SIZES = [(1366, 768), (390, 844)]


def _shoot(page, figure_id: str, name: str, size) -> None:
    figure = page.locator(f"#{figure_id}")
    figure.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=str(SHOTS / f"{name}-{size[0]}x{size[1]}.png"))


def _styled(page, figure_id: str) -> str:
    """The computed fill of the first bar: charts.css applied (black would mean it was blocked)."""
    return page.eval_on_selector(
        f"#{figure_id} svg .series .rect", "el => getComputedStyle(el).fill"
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_chart_renders_styled_without_csp_errors_at_desktop_and_phone_sizes(
    new_page,  # noqa: F811
    browser_errors,  # noqa: F811
    world,
    ranked,
    size,
    client,
):
    from hall import services as hall_services

    poll = publish_paper_poll(world, [6, 1])
    hall_services.screen_show(meeting=poll.meeting, actor=world.secretary, view="poll", poll=poll)
    screen = reverse(
        "hall:screen", args=[poll.meeting_id, hall_services.screen_key(poll.meeting_id)]
    )
    Deadline.objects.create(
        bloc_year=ranked, kind=Deadline.Kind.REGISTRATION, due_on=dt.date(2024, 3, 1)
    )
    # the first request of a live server loads every URL module and template: on a shared,
    # loaded machine that alone can pass the default 10 s, so warm it up and allow more
    client.get(reverse("login"))
    page = new_page(world.office, viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(60_000)
    pages = [
        (reverse("awards:ranking", args=[ranked.pk]), f"fig-xep-hang-{ranked.pk}", "ranking"),
        (reverse("awards:ranking", args=[ranked.pk]), f"fig-tu-cham-{ranked.pk}", "self-score"),
        (
            reverse("blocs:unit_detail", args=[world.units[0].pk]),
            f"fig-don-vi-{world.units[0].pk}",
            "unit-years",
        ),
        (reverse("meetings:poll_detail", args=[poll.pk]), f"fig-phieu-{poll.pk}", "votes"),
        (screen, f"fig-phieu-{poll.pk}", "hall-votes"),  # the projector, after publication
        (reverse("dashboard") + "?year=2024", "fig-giai-doan-2024-all", "overview-stages"),
        (reverse("dashboard") + "?year=2024", "fig-tre-han-2024-all", "overview-late"),
        (reverse("dashboard") + "?year=2024", "fig-khen-thuong-2024-all", "overview-awards"),
    ]
    for url, figure_id, name in pages:
        page.goto(url)
        # the dashboard's overview arrives after the page (htmx): wait for it
        page.locator(f"#{figure_id} svg[role=img]").wait_for()
        assert page.locator(f"#{figure_id} svg[role=img]").count() == 1, name
        assert _styled(page, figure_id) not in ("rgb(0, 0, 0)", ""), name
        _shoot(page, figure_id, name, size)
    # the whole projected page: chart beside the result lines, nothing wider than the screen
    page.goto(screen)
    page.screenshot(path=str(SHOTS / f"hall-screen-{size[0]}x{size[1]}.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert browser_errors == []
