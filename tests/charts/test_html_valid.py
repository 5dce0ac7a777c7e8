"""Pages with charts (inline SVG, the figure, the table toggle) pass the Nu HTML Checker."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.e2e.test_html_valid import HTMX_ATTRIBUTES, VNU

from .conftest import publish_paper_poll

pytestmark = [
    pytest.mark.skipif(not VNU.exists(), reason="vnu.jar chưa cài (cd tools && npm install)"),
    pytest.mark.skipif(not shutil.which("java"), reason="Java không có trên máy"),
]


def test_pages_with_charts_pass_the_nu_html_checker_without_errors(client, world, ranked, tmp_path):
    from hall import services as hall_services

    poll = publish_paper_poll(world, [6, 1])
    hall_services.screen_show(meeting=poll.meeting, actor=world.secretary, view="poll", poll=poll)
    client.force_login(world.office)
    pages = {
        "hall-screen": reverse(
            "hall:screen", args=[poll.meeting_id, hall_services.screen_key(poll.meeting_id)]
        ),
        "ranking": reverse("awards:ranking", args=[ranked.pk]),
        "unit": reverse("blocs:unit_detail", args=[world.units[0].pk]),
        "poll": reverse("meetings:poll_detail", args=[poll.pk]),
        "dashboard": reverse("dashboard") + "?year=2024",
        "overview": reverse("charts:overview") + "?year=2024",
    }
    files = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200
        # the dashboard's charts come after the page (charts:overview_panel): the same
        # charts/_figure.html as the overview page's, which is checked here with its charts
        assert name == "dashboard" or "<svg" in response.content.decode(), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files[path] = f"{name} ({url})"
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json"]
        + ["--filterpattern", HTMX_ATTRIBUTES, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{files[Path(m['url'].removeprefix('file:'))]} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)
