"""Faster work on the day, in Chromium: the poll form shows only what its kind needs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.meetings.conftest import make_meeting

pytestmark = [pytest.mark.browser]


def test_the_poll_form_shows_only_the_fields_its_kind_needs(new_page, world, transactional_db):
    meeting = make_meeting(world)
    page = new_page(world.secretary)
    page.goto(f"/meetings/{meeting.pk}/polls/new/")
    award_only = page.locator("#id_award_title")
    candidate_fields = [page.locator(f"#id_{n}") for n in ("seats", "max_marks", "max_rounds")]
    fraction = page.locator("#id_threshold_numerator")
    page.locator("#id_kind").select_option("motion")
    expect(award_only).to_be_hidden()
    for field in candidate_fields:
        expect(field).to_be_hidden()
    expect(fraction).to_be_hidden()
    page.locator("#id_kind").select_option("award")
    expect(award_only).to_be_visible()
    for field in candidate_fields:
        expect(field).to_be_visible()
    page.locator("#id_rule").select_option("custom")
    expect(fraction).to_be_visible()
    page.locator("#id_mode").select_option("open")
    expect(page.locator("#id_counting_committee")).to_be_hidden()
