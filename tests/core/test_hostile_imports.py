"""The imports that read spreadsheets (registry, accounts) refuse the review's hostile files
before parsing them, quickly and with little memory, with a Vietnamese message; nothing saved."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import Unit

from . import hostile_files as h


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return h.zip_bomb_xlsx(inflated_mb=712)


def _post(client, world, url, data):
    def send():
        upload = SimpleUploadedFile("danh-muc.xlsx", data, content_type="application/octet-stream")
        return client.post(url, {"organizer": world.organizer.pk, "file": upload})

    client.get(url)  # warm: templates compiled, translations loaded
    started = time.monotonic()
    response = send()
    seconds = time.monotonic() - started
    tracemalloc.start()  # (tracing slows Python down: timed apart)
    try:
        send()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, seconds, peak


@pytest.mark.parametrize(
    "kind,message",
    [
        ("wide", "Bảng tính khai báo 16.384 cột; tối đa 64 cột."),
        ("bomb", "vượt giới hạn 256,0 MB"),
    ],
)
def test_the_registry_import_refuses_hostile_xlsx_before_parsing(
    client, world, bomb, kind, message
):
    data = h.wide_sheet_xlsx() if kind == "wide" else bomb
    units = Unit.objects.count()
    client.force_login(world.office)
    response, seconds, peak = _post(client, world, reverse("blocs:registry_import"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert seconds < 2, seconds
    assert peak < 100 * 1024 * 1024, peak
    assert Unit.objects.count() == units
