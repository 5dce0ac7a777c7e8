"""The dashboard's overview panel as production serves it (deploy/start.sh: DEBUG=0, gunicorn,
behind nginx over TLS, PostgreSQL): the page keeps a place that htmx fills, the panel keeps the
strict CSP, and the wrong role or province gets 403/404 from the real server (issue 15)."""

import re

import pytest

pytestmark = [pytest.mark.postgres]
HTMX = {"HX-Request": "true"}


def test_the_overview_panel_through_nginx_answers_each_caller_as_the_overview_page(world, stack):
    s = stack(servers=1, workers=2)
    office = s.browser().login_as(world.office)
    page = office.get("/?year=2024")
    assert page.status_code == 200
    slot = re.search(r'<section class="card" id="overview-panel"[^>]*>', page.text).group(0)
    assert 'hx-get="/charts/overview/panel/?year=2024"' in slot and 'aria-busy="true"' in slot
    assert 'id="chart-' not in page.text  # the page does not wait for the overview

    panel = office.get("/charts/overview/panel/?year=2024", headers=HTMX)
    assert panel.status_code == 200
    assert 'id="chart-giai-doan-2024-all"' in panel.text
    csp = panel.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # without htmx: to the overview page, never a bare fragment
    plain = office.get("/charts/overview/panel/?year=2024")
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith("/charts/overview/?year=2024")

    other = f"/charts/overview/panel/?year=2024&organizer={world.other_organizer.pk}"
    refused = office.get(other, headers=HTMX)
    assert refused.status_code == 404 and 'id="chart-' not in refused.text
    delegate = s.browser().login_as(world.delegate)
    refused = delegate.get("/charts/overview/panel/?year=2024", headers=HTMX)
    assert refused.status_code == 403 and 'id="chart-' not in refused.text
    assert 'id="overview-panel"' not in delegate.get("/?year=2024").text
    anonymous = s.browser().get("/charts/overview/panel/?year=2024", headers=HTMX)
    assert anonymous.headers["HX-Redirect"].startswith("/login/")
    assert 'id="chart-' not in anonymous.text
