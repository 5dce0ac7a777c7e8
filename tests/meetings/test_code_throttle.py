"""The wrong-code throttle in the database (meetings.throttle, meetings.WrongCodes): windows that
end, a blocked client that learns nothing about its code, one statement for the check and the
lookup on PostgreSQL, voting that works with the cache down, and a table outside the WAL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services, throttle
from meetings.models import VoteCast, WrongCodes

from .conftest import codes, make_poll


def _wrong(client, url, n, start=0):
    for i in range(start, start + n):
        assert client.post(url, {"code": f"WRONG{i:05d}"}).status_code == 404


@pytest.fixture
def open_poll(world, full_meeting):
    return services.poll_open(poll=make_poll(full_meeting, world.units[:2]))


def test_a_blocked_client_learns_nothing_and_its_good_code_is_not_used(world, open_poll):
    poll = open_poll
    url = reverse("meetings:vote_poll", args=[poll.pk])
    good = codes(poll)[world.units[0].pk]
    c = Client(REMOTE_ADDR="10.0.0.1")
    _wrong(c, url, throttle.CLIENT_LIMIT)
    for code in (good, "WRONG99999"):
        r = c.post(url, {"code": code, "step": "confirm", "blank": "on"})
        page = r.content.decode()
        assert r.status_code == 429
        assert "Đã nhập sai mã quá nhiều lần" in page and "thử lại sau 15 phút" in page
        assert world.units[0].name not in page and poll.title not in page
    assert not VoteCast.objects.filter(poll=poll).exists()
    row = WrongCodes.objects.get(key__startswith="client:")
    assert row.failures == throttle.CLIENT_LIMIT  # blocked attempts are not counted again
    # The key is a keyed hash of the address: neither the address nor its plain hash (which a
    # reader could find by hashing every IPv4 address) is stored.
    stored = "".join(WrongCodes.objects.values_list("key", flat=True))
    assert "10.0.0.1" not in stored
    assert hashlib.sha256(b"10.0.0.1").hexdigest()[:32] not in stored


def test_the_window_ends_and_the_client_votes_again(world, open_poll):
    poll = open_poll
    url = reverse("meetings:vote_poll", args=[poll.pk])
    good = codes(poll)[world.units[0].pk]
    c = Client(REMOTE_ADDR="10.0.0.2")
    _wrong(c, url, throttle.CLIENT_LIMIT)
    assert c.post(url, {"code": good}).status_code == 429
    # 14 minutes later: still blocked, with the minutes left.
    WrongCodes.objects.update(until=timezone.now() + dt.timedelta(minutes=1, seconds=5))
    r = c.post(url, {"code": good})
    assert r.status_code == 429 and "thử lại sau 2 phút" in r.content.decode()
    # The window has ended: the code opens the ballot, and the next mistake starts a new window.
    WrongCodes.objects.update(until=timezone.now() - dt.timedelta(seconds=1))
    r = c.post(url, {"code": good})
    assert r.status_code == 200 and world.units[0].name in r.content.decode()
    _wrong(c, url, 1, start=100)
    row = WrongCodes.objects.get(key__startswith="client:")
    assert row.failures == 1 and row.until > timezone.now() + dt.timedelta(minutes=14)


def test_guessing_at_one_poll_from_many_addresses_is_capped_per_poll(world, open_poll):
    poll = open_poll
    url = reverse("meetings:vote_poll", args=[poll.pk])
    good = codes(poll)[world.units[0].pk]
    for i in range(throttle.POLL_LIMIT):
        _wrong(Client(REMOTE_ADDR=f"10.1.{i // 200}.{i % 200}"), url, 1, start=i)
    assert WrongCodes.objects.get(key=f"poll:{poll.pk}").failures == throttle.POLL_LIMIT
    assert Client(REMOTE_ADDR="10.9.9.9").post(url, {"code": good}).status_code == 429
    # The code-only form (no poll in the address) is throttled per client only.
    r = Client(REMOTE_ADDR="10.9.9.9").post(reverse("meetings:vote"), {"code": good})
    assert r.status_code == 200


@pytest.mark.postgres
def test_on_postgresql_the_check_and_the_lookup_are_one_statement(world, open_poll):
    poll = open_poll
    good = codes(poll)[world.units[0].pk]
    checked = throttle.keys(_Request("10.0.0.3"), poll.pk)
    services.voter_for_code_unless_throttled(good, checked)  # prepares the statement
    with CaptureQueriesContext(connection) as queries:
        wait, voter = services.voter_for_code_unless_throttled(good, checked)
    assert wait == 0 and voter.unit_id == world.units[0].pk and voter.poll.pk == poll.pk
    assert len(queries) == 1 and queries[0]["sql"].startswith("EXECUTE joinedrow_")
    with CaptureQueriesContext(connection) as queries:
        assert services.voter_for_code_unless_throttled("WRONG00000", checked) == (0, None)
    assert len(queries) == 1
    WrongCodes.objects.create(
        key=checked[1][0], failures=throttle.POLL_LIMIT, until=timezone.now() + dt.timedelta(60)
    )
    wait, voter = services.voter_for_code_unless_throttled(good, checked)
    assert voter is None and wait > 0


def test_ended_windows_are_forgotten_now_and_then(world, open_poll, monkeypatch):
    now = timezone.now()
    WrongCodes.objects.create(key="client:old", failures=3, until=now - dt.timedelta(seconds=1))
    WrongCodes.objects.create(key="client:live", failures=3, until=now + dt.timedelta(minutes=5))
    monkeypatch.setattr(throttle.random, "random", lambda: 0.0)  # this failure does the cleanup
    _wrong(Client(REMOTE_ADDR="10.0.0.5"), reverse("meetings:vote"), 1)
    keys = set(WrongCodes.objects.values_list("key", flat=True))
    assert "client:old" not in keys and "client:live" in keys and len(keys) == 2


@pytest.mark.postgres
def test_the_counters_table_is_unlogged(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'meetings_wrongcodes'")
        assert cursor.fetchone() == ("u",)


def test_voting_does_not_need_the_cache(world, open_poll, settings):
    """The cache (Redis in production) unreachable: a slip's code still opens the ballot, and a
    wrong code is still counted."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    from django.core.cache import caches

    caches._settings = None  # noqa: SLF001 - re-read the setting, as a new worker would
    try:
        poll = open_poll
        url = reverse("meetings:vote_poll", args=[poll.pk])
        good = codes(poll)[world.units[0].pk]
        c = Client(REMOTE_ADDR="10.0.0.4")
        cand = poll.candidates.get(unit=world.units[0]).pk
        r = c.post(url, {"code": good, "marks": [cand], "step": "confirm"})
        assert r.status_code == 200 and "Mã biên nhận của bạn" in r.content.decode()
        assert VoteCast.objects.filter(poll=poll, unit=world.units[0]).exists()
        _wrong(c, url, 1)
        assert WrongCodes.objects.filter(key__startswith="client:").get().failures == 1
    finally:
        caches._settings = None  # noqa: SLF001


class _Request:
    def __init__(self, address: str):
        self.META = {"REMOTE_ADDR": address}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_codes_sent_at_once_from_threads_are_all_counted():
    """Six threads (six database connections) count 8 wrong codes each against one client and
    one poll at the same moment: the upsert is atomic, none is lost (a read-then-write counter
    would lose some)."""
    import threading

    from django.db import connections

    request = _Request("10.0.0.9")
    go = threading.Barrier(6)
    errors = []

    def attack():
        try:
            go.wait()
            for _ in range(8):
                throttle.record_failure(request, 4242)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attack) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    counts = dict(WrongCodes.objects.values_list("key", "failures"))
    assert counts == {throttle.keys(request, None)[0][0]: 48, "poll:4242": 48}
    WrongCodes.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forgetting_skips_a_row_that_a_count_holds_instead_of_waiting():
    import threading

    from django.db import connections

    now = timezone.now()
    for key in ("client:held", "client:free"):
        WrongCodes.objects.create(key=key, failures=2, until=now - dt.timedelta(seconds=1))
    held, release = threading.Event(), threading.Event()

    def hold():  # another request counting on "client:held", its transaction still open
        try:
            with transaction.atomic():
                WrongCodes.objects.select_for_update().get(key="client:held")
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test, not hang it
        assert throttle.forget_ended(timezone.now()) == 1
        assert set(WrongCodes.objects.values_list("key", flat=True)) == {"client:held"}
    finally:
        release.set()
        t.join(10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    WrongCodes.objects.all().delete()
