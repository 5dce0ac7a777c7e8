"""A gunicorn worker killed in the middle of a vote: every accepted ballot stays counted, and
the voter whose request died gets their receipt back, with exactly one ballot for the unit.

Deterministic: the test holds the poll's exclusive advisory lock (what closing a poll takes),
so both workers block inside ballot_cast's statement; one worker is SIGKILLed there, then
the lock is released.

The ballot is one statement in its own transaction (migration 0006): the killed worker's
statement is already in PostgreSQL, which does not look at the client while the statement
waits for the lock (client_connection_check_interval is off by default), so the ballot is
written and committed and only the reply is lost. The voter's retry is the lost-reply case the
vote page tells them to handle: «Gửi phiếu» again shows the receipt (409), never a second
ballot."""

import os
import re
import signal
import threading
import time

import psycopg
import pytest
import requests
from django.conf import settings

from meetings import services
from meetings.models import Poll, SealedBallot, VoteCast
from tests.factories import open_leader_poll

from .conftest import csrf_token

pytestmark = [pytest.mark.postgres]
N = 12


def _open_poll() -> Poll:
    return open_leader_poll(N)[0]


def _codes(poll) -> dict[int, str]:
    slips = services.poll_slips_issue(
        poll=poll, unit_ids=list(poll.voters.values_list("unit_id", flat=True)), actor=None
    )
    return {s.voter.unit_id: s.code for s in slips}


def _vote(base: str, code: str, candidate: int) -> tuple[str, str]:
    """One voter: open the vote page, send the code, the ballot and the confirmation. Returns
    (outcome, receipt or message)."""
    s = requests.Session()
    try:
        page = s.get(f"{base}/vote/", timeout=30)
        r = s.post(
            f"{base}/vote/",
            data={
                "csrfmiddlewaretoken": csrf_token(page.text),
                "code": code,
                "marks": [candidate],
                "step": "confirm",
            },
            headers={"Referer": f"{base}/vote/"},
            timeout=30,
        )
    except requests.ConnectionError as exc:
        return "error", repr(exc)
    match = re.search(r'<code id="receipt">([^<]+)</code>', r.text)
    if r.status_code == 200 and match:
        return "ok", match.group(1)
    return f"http {r.status_code}", r.text


def _admin():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )


def _waiting_on_advisory_lock(admin) -> int:
    with admin.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        )
        return cur.fetchone()[0]


def test_killing_a_worker_mid_vote_loses_no_accepted_ballot_and_the_voter_can_retry_once(gunicorn):
    poll = _open_poll()
    voters = list(poll.voters.order_by("pk"))
    codes = _codes(poll)
    for v in voters:
        v.code = codes[v.unit_id]
    candidate = poll.candidates.order_by("order").first().pk
    server = gunicorn(workers=2)
    first, second, *rest = voters
    results: dict[str, tuple[str, str]] = {}

    holder = _admin()
    with holder.cursor() as cur:  # BEGIN implicitly: the lock lasts until commit
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [services.POLL_LOCK_CLASS, poll.pk])
    threads = [
        threading.Thread(
            target=lambda v=v: results.__setitem__(v.code, _vote(server.url, v.code, candidate))
        )
        for v in (first, second)
    ]
    for t in threads:
        t.start()
    watcher = _admin()
    watcher.autocommit = True
    deadline = time.monotonic() + 15
    while _waiting_on_advisory_lock(watcher) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_advisory_lock(watcher) == 2, "both workers must be inside ballot_cast"
    victim = server.workers()[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.3)
    holder.commit()  # release: the surviving worker's ballot goes through
    holder.close()
    for t in threads:
        t.join(timeout=30)
    outcomes = sorted(r[0] for r in results.values())
    assert outcomes == ["error", "ok"], results

    server.wait_workers(2)  # the master replaced the killed worker
    # Everyone else votes, all at once.
    more = [
        threading.Thread(
            target=lambda v=v: results.__setitem__(v.code, _vote(server.url, v.code, candidate))
        )
        for v in rest
    ]
    for t in more:
        t.start()
    for t in more:
        t.join(timeout=60)
    failed = [code for code, (outcome, _) in results.items() if outcome != "ok"]
    assert len(failed) == 1

    # The voter whose request died sends the ballot again: the unit's ballot was written by the
    # statement already in PostgreSQL, so the retry shows its receipt and writes nothing; so
    # does every later attempt.
    stored = dict(VoteCast.objects.filter(poll=poll).values_list("unit_id", "receipt"))
    killed_unit = next(v.unit_id for v in voters if v.code == failed[0])
    assert killed_unit in stored and len(stored) == N
    for _attempt in range(2):
        retry = _vote(server.url, failed[0], candidate)
        assert retry[0] == "http 409", retry[1][:500]
        assert "Phiếu của đơn vị đã được ghi nhận" in retry[1]
        assert f'<code id="receipt">{stored[killed_unit]}</code>' in retry[1]

    receipts = {outcome[1] for outcome in results.values() if outcome[0] == "ok"}
    receipts.add(stored[killed_unit])
    assert len(receipts) == N
    assert set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True)) == receipts
    assert VoteCast.objects.filter(poll=poll).count() == N
    assert SealedBallot.objects.filter(poll=poll).count() == N
    assert set(VoteCast.objects.filter(poll=poll).values_list("unit_id", flat=True)) == {
        v.unit_id for v in voters
    }
    watcher.close()
