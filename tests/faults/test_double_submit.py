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
    return {"organizer": world.organizer.pk, "code": "so-tu-phap", "name": "Sở Tư pháp tỉnh Bắc Ninh",
            "short_name": "STP", "head_title": ""}


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
def test_two_simultaneous_bloc_year_creates_make_one_year_and_one_clear_error(world, transactional_db, monkeypatch):
    url = reverse("blocs:bloc_year_create", args=[world.bloc.pk])
    results = _race(monkeypatch, BlocYear, [world.office],
                    lambda c: c.post(url, {"year": 2026, "plan_reference": "", "notes": ""}, headers=HX))
    assert results == ["200", "422"], results
    assert BlocYear.objects.filter(bloc=world.bloc, year=2026).count() == 1


@pytest.mark.postgres
def test_two_simultaneous_membership_adds_make_one_membership_and_one_clear_error(world, transactional_db, monkeypatch):
    unit = UnitFactory(organizer=world.organizer)
    url = reverse("blocs:membership_add", args=[world.bloc_year.pk])
    results = _race(monkeypatch, Membership, [world.office], lambda c: c.post(url, {"unit": unit.pk}, headers=HX))
    assert results == ["200", "422"], results
    assert Membership.objects.filter(bloc_year=world.bloc_year, unit=unit).count() == 1


@pytest.mark.postgres
def test_two_simultaneous_unit_creates_make_one_unit_and_one_clear_error(world, transactional_db, monkeypatch):
    data = _unit_data(world)
    results = _race(monkeypatch, Unit, [world.office], lambda c: c.post(reverse("blocs:unit_create"), data))
    assert results == ["302", "422"], results
    assert Unit.objects.filter(code="so-tu-phap").count() == 1
