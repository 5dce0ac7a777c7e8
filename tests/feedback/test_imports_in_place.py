"""Imports show their result where they were started: under htmx the import panel answers with
the result; no message is left behind to surface later on another page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

SAMPLE = Path(settings.BASE_DIR) / "static" / "examples" / "danh-muc-mau.csv"


def test_an_htmx_registry_import_answers_with_its_result_in_the_panel(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("danh-muc.csv", SAMPLE.read_bytes(), "text/csv")
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": upload},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="import-panel">')
    assert re.search(r"Đã nhập \d+ dòng: \d+ thay đổi\.", response.text)
    # Nothing waits in the session to pop up on the next page.
    assert "Đã nhập" not in client.get(reverse("dashboard")).text


def test_without_javascript_the_import_still_redirects_with_its_message(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("danh-muc.csv", SAMPLE.read_bytes(), "text/csv")
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": upload},
        follow=True,
    )
    assert re.search(r"Đã nhập \d+ dòng", response.text)


@pytest.mark.browser
def test_in_the_browser_the_result_appears_under_the_import_form(new_page, world, transactional_db):
    page = new_page(world.office)
    page.goto(reverse("blocs:registry_import"))
    page.locator("#id_file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.locator("#import-panel .msg-success")).to_contain_text("Đã nhập")
    assert page.url.endswith("/registry/import/")
