"""Crawl the demo as a delegate and as a bloc secretary: no link on their pages leads to a page
they may not open (a delegate used to get 404 on every other member unit, the secretary on the
unit that a member merged into)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.security.crawl import crawl


@pytest.mark.parametrize("username", ["daibieu.tand.bacninh", "thuky.knc.bacninh"])
def test_every_link_a_delegate_or_secretary_sees_opens(client, db, username):
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username=username))
    pages = crawl(client, ["/"], limit=400)
    assert len(pages) >= 60, len(pages)
    assert len(pages) < 400, "the crawl stopped before it saw every page"
    dead = {}
    for url, (response, _) in pages.items():
        if response.status_code in (403, 404):
            dead[url] = [source for source, (_, scan) in pages.items() if url in scan.links][:3]
    assert dead == {}
