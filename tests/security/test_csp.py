"""Strict CSP: every page sends it, and no page relies on inline code or inline styles."""

import pytest
from django.urls import reverse

from .crawl import PageScan, crawl


def _start_urls(world) -> list[str]:
    by, unit = world.bloc_year, world.units[0]
    return [
        reverse("dashboard"),
        reverse("blocs:bloc_detail", args=[by.bloc_id]),
        reverse("blocs:bloc_year_detail", args=[by.pk]),
        reverse("blocs:unit_list"),
        reverse("blocs:unit_detail", args=[unit.pk]),
        reverse("blocs:bloc_create"),
        reverse("blocs:unit_create"),
        reverse("blocs:registry_import"),
        reverse("blocs:bloc_edit", args=[by.bloc_id]),
        reverse("blocs:bloc_rotation", args=[by.bloc_id]),
        reverse("blocs:bloc_year_create", args=[by.bloc_id]),
        reverse("blocs:bloc_year_edit", args=[by.pk]),
        reverse("blocs:leadership_set", args=[by.pk]),
        reverse("blocs:unit_edit", args=[unit.pk]),
        reverse("blocs:unit_rename", args=[unit.pk]),
        reverse("blocs:unit_merge", args=[unit.pk]),
        "/does-not-exist/",
    ]


def test_login_page_sends_a_strict_csp_and_has_no_inline_code(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    scan = PageScan()
    scan.feed(response.content.decode())
    assert scan.problems == []


@pytest.mark.parametrize("who", ["superuser", "office", "secretary", "delegate"])
def test_every_reachable_page_sends_csp_and_has_no_inline_script_style_or_handler(
    client, world, who
):
    client.force_login(world.users()[who])
    pages = crawl(client, _start_urls(world))
    assert len(pages) >= 10
    html_pages = 0
    for url, (response, scan) in pages.items():
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert "script-src 'self'" in response.get("Content-Security-Policy", ""), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert scan.problems == [], (url, scan.problems)
        html_pages += bool(scan.links)
    assert html_pages >= 5


def test_htmx_partials_have_no_inline_code_either(client, world):
    client.force_login(world.office)
    for url in [reverse("dashboard") + "?q=a", reverse("blocs:unit_list") + "?q=a"]:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.content.decode()
        scan = PageScan()
        scan.feed(response.content.decode())
        assert scan.problems == [], (url, scan.problems)


def test_htmx_is_served_from_our_own_static_files_with_eval_disabled(client):
    html = client.get(reverse("login")).content.decode()
    assert "/static/vendor/htmx-" in html
    assert "unpkg.com" not in html and "cdn" not in html.lower()
    assert '"allowEval": false' in html


@pytest.mark.parametrize("url", ["/login/", "/vote/", "/checkin/", "/verify/"])
def test_pages_open_to_anyone_send_csp_and_have_no_inline_code(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scan = PageScan()
    scan.feed(response.content.decode())
    assert scan.problems == []
