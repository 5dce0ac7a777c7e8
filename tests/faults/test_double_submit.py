"""A double-submitted form or a replayed htmx request creates nothing twice.

Sequential replays run everywhere. The concurrent ones (two submits racing past the
"already exists?" check) need PostgreSQL's row locking on unique indexes; a barrier in the
model's save() makes both requests reach the INSERT together, every time.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from blocs.models import BlocYear, Membership, Unit
from tests.factories import UnitFactory

HX = {"HX-Request": "true"}


def _unit_data(world):
    return {
        "organizer": world.organizer.pk,
        "code": "so-tu-phap",
        "name": "Sở Tư pháp tỉnh Bắc Ninh",
        "short_name": "STP",
        "head_title": "",
    }


# --- sequential replays -------------------------------------------------------------------------


def test_a_replayed_bloc_year_create_creates_one_year_and_answers_a_form_error(client, world):
    client.force_login(world.office)
    url = reverse("blocs:bloc_year_create", args=[world.bloc.pk])
    data = {"year": 2025, "plan_reference": "", "notes": "", "copy_members": "on"}
    first = client.post(url, data, headers=HX)
    again = client.post(url, data, headers=HX)
    assert first.status_code == 200 and "HX-Redirect" in first
    assert again.status_code == 422
    assert "Khối đã có năm thi đua 2025." in again.content.decode()
    year = BlocYear.objects.get(bloc=world.bloc, year=2025)
    assert year.memberships.count() == 8


def test_a_replayed_membership_add_creates_one_membership(client, world):
    client.force_login(world.office)
    unit = UnitFactory(organizer=world.organizer)
    url = reverse("blocs:membership_add", args=[world.bloc_year.pk])
    first = client.post(url, {"unit": unit.pk}, headers=HX)
    again = client.post(url, {"unit": unit.pk}, headers=HX)
    assert first.status_code == 200
    assert again.status_code == 422
    assert Membership.objects.filter(bloc_year=world.bloc_year, unit=unit).count() == 1


def test_a_double_submitted_unit_create_creates_one_unit(client, world):
    client.force_login(world.office)
    first = client.post(reverse("blocs:unit_create"), _unit_data(world))
    again = client.post(reverse("blocs:unit_create"), _unit_data(world))
    assert first.status_code == 302
    assert again.status_code == 422
    assert "Mã đơn vị «so-tu-phap» đã được dùng." in again.content.decode()
    assert Unit.objects.filter(code="so-tu-phap").count() == 1


# --- concurrent submits (PostgreSQL) ------------------------------------------------------------


def _race(monkeypatch, model, users, post, n=2):
    """Run `post(client)` from n threads whose model.save() calls meet at a barrier."""
    barrier = threading.Barrier(n, timeout=3)
    real_save = model.save

    def save(self, *args, **kwargs):
        if self.pk is None:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", save)
    results: list = [None] * n

    def run(i):
        client = Client()
        client.force_login(users[i % len(users)])
        try:
            results[i] = post(client).status_code
        except Exception as exc:  # noqa: BLE001 - an unhandled error is what we look for
            results[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(map(str, results))


@pytest.mark.postgres
def test_two_simultaneous_bloc_year_creates_make_one_year_and_one_clear_error(
    world, transactional_db, monkeypatch
):
    url = reverse("blocs:bloc_year_create", args=[world.bloc.pk])
    results = _race(
        monkeypatch,
        BlocYear,
        [world.office],
        lambda c: c.post(url, {"year": 2026, "plan_reference": "", "notes": ""}, headers=HX),
    )
    assert results == ["200", "422"], results
    assert BlocYear.objects.filter(bloc=world.bloc, year=2026).count() == 1


@pytest.mark.postgres
def test_two_simultaneous_membership_adds_make_one_membership_and_one_clear_error(
    world, transactional_db, monkeypatch
):
    unit = UnitFactory(organizer=world.organizer)
    url = reverse("blocs:membership_add", args=[world.bloc_year.pk])
    results = _race(
        monkeypatch,
        Membership,
        [world.office],
        lambda c: c.post(url, {"unit": unit.pk}, headers=HX),
    )
    assert results == ["200", "422"], results
    assert Membership.objects.filter(bloc_year=world.bloc_year, unit=unit).count() == 1


@pytest.mark.postgres
def test_two_simultaneous_unit_creates_make_one_unit_and_one_clear_error(
    world, transactional_db, monkeypatch
):
    data = _unit_data(world)
    results = _race(
        monkeypatch, Unit, [world.office], lambda c: c.post(reverse("blocs:unit_create"), data)
    )
    assert results == ["302", "422"], results
    assert Unit.objects.filter(code="so-tu-phap").count() == 1


# --- forms that are not unique by nature: the one-time token (khoithidua/once.py) ---------------


def _form_with_token(client, url) -> dict:
    import re

    html = client.get(url).content.decode()
    token = re.search(r'name="_once" value="([^"]+)"', html)
    assert token, f"{url} has no one-time token"
    return {"_once": token.group(1)}


def _meeting_data(**extra):
    return {
        "kind": "yearend",
        "title": "Hội nghị tổng kết năm 2024",
        "starts_at": "2024-11-21T08:00",
        "place": "Hội trường",
        **extra,
    }


def test_a_double_submitted_meeting_create_creates_one_meeting_and_sends_the_replay_to_it(
    client, world
):
    from meetings.models import Meeting

    client.force_login(world.office)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    data = _meeting_data(**_form_with_token(client, url))
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == 302
    assert again.status_code == 303
    assert again["Location"] == first["Location"]
    assert Meeting.objects.filter(bloc_year=world.bloc_year).count() == 1
    page = client.get(again["Location"]).content.decode()
    assert "Biểu mẫu này đã được gửi; không xử lý lại lần nữa." in page


def test_a_replayed_htmx_meeting_create_creates_one_meeting(client, world):
    from meetings.models import Meeting

    client.force_login(world.office)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    data = _meeting_data(**_form_with_token(client, url))
    first = client.post(url, data, headers=HX)
    again = client.post(url, data, headers=HX)
    assert again["HX-Redirect"] == first["HX-Redirect"]
    assert Meeting.objects.filter(bloc_year=world.bloc_year).count() == 1


def test_two_meetings_from_two_separate_forms_are_both_created(client, world):
    from meetings.models import Meeting

    client.force_login(world.office)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    client.post(url, _meeting_data(**_form_with_token(client, url)))
    client.post(
        url,
        _meeting_data(
            title="Sơ kết 6 tháng",
            kind="midyear",
            starts_at="2024-07-10T08:00",
            **_form_with_token(client, url),
        ),
    )
    assert Meeting.objects.filter(bloc_year=world.bloc_year).count() == 2


def test_an_invalid_submission_does_not_use_up_its_token(client, world):
    from meetings.models import Meeting

    client.force_login(world.office)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    token = _form_with_token(client, url)
    bad = client.post(url, _meeting_data(title="", **token))
    assert bad.status_code == 422
    good = client.post(url, _meeting_data(**token))
    assert good.status_code == 302
    assert Meeting.objects.filter(bloc_year=world.bloc_year).count() == 1


def test_a_double_submitted_guest_add_adds_one_guest(client, world):
    import datetime as dt

    from django.utils import timezone

    from meetings import services
    from meetings.models import Guest

    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Tổng kết",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8)),
    )
    client.force_login(world.office)
    token = _form_with_token(client, reverse("meetings:meeting_detail", args=[meeting.pk]))
    data = {
        "name": "Ông Nguyễn Văn A",
        "position": "Phó Chủ tịch UBND tỉnh",
        "organisation": "",
        **token,
    }
    url = reverse("meetings:guest_add", args=[meeting.pk])
    client.post(url, data)
    client.post(url, data)
    assert Guest.objects.filter(meeting=meeting).count() == 1
