"""The secret ballot attacked as a database reader would, on PostgreSQL.

The attacker holds a full copy of the database at some moment (during the vote, or after the
close: live rows, dead tuples read with `pageinspect`, transaction ids, physical row order) and
the server's logs, but not BALLOT_KEY. Each attack below outputs, for each unit, its best guess
of that unit's ballot. Every unit votes for a different candidate, so a random pairing gets about
1 of N right by luck (the expected number of fixed points of a random permutation is 1). The
attack "works" only if it does better than that.
"""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection

from meetings import services
from tests.factories import open_leader_poll

pytestmark = [pytest.mark.postgres]

N = 30
# Chance gives 1 right on average; P(a random permutation has >= 7 fixed points) < 1e-4.
CHANCE_BOUND = 6


def _setup_poll():
    poll, units = open_leader_poll(N, candidates=None, max_marks=1)
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    # Unit i votes for the candidate of unit (i + k) — a different candidate for every unit, in a
    # shuffled order of casting.
    shift = random.randrange(1, N)
    ids = [u.pk for u in units]
    truth = {ids[i]: [cand[ids[(i + shift) % N]]] for i in range(N)}
    order = ids[:]
    random.shuffle(order)
    for unit_id in order:
        _cast(poll, unit_id, truth[unit_id])
    return poll, truth


def _cast(poll, unit_id, marks):
    voter = poll.voters.select_related("poll").get(unit_id=unit_id)
    return services.ballot_cast(voter=voter, marks=marks, blank=not marks)


# --- what the attacker reads -----------------------------------------------------------------


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _tables():
    return {name for (name,) in _sql("SELECT tablename FROM pg_tables WHERE schemaname='public'")}


def _plain_ballots(poll_id, order_by):
    """Live plaintext ballots (marks) in the given physical or key order."""
    return [
        json.loads(m) if isinstance(m, str) else m
        for (m,) in _sql(
            f"SELECT marks FROM meetings_ballot WHERE poll_id=%s ORDER BY {order_by}", [poll_id]
        )
    ]


def _casts(poll_id, order_by):
    return [
        u
        for (u,) in _sql(
            f"SELECT unit_id FROM meetings_votecast WHERE poll_id=%s ORDER BY {order_by}", [poll_id]
        )
    ]


def _score(guess: dict, truth: dict) -> int:
    return sum(1 for unit, marks in guess.items() if truth.get(unit) == marks)


def attack_xmin_join(poll_id) -> dict:
    """Join 'this unit has voted' to a plaintext ballot written in the same transaction."""
    rows = _sql(
        "SELECT c.unit_id, b.marks FROM meetings_votecast c JOIN meetings_ballot b "
        "ON b.xmin = c.xmin AND b.poll_id = c.poll_id WHERE c.poll_id=%s",
        [poll_id],
    )
    guess: dict = {}
    for unit, marks in rows:
        guess.setdefault(unit, json.loads(marks) if isinstance(marks, str) else marks)
    return guess


def attack_row_order(poll_id, order_by, ballots_by=None) -> dict:
    """Pair the i-th cast with the i-th ballot, in physical (ctid) or key order."""
    return dict(
        zip(
            _casts(poll_id, order_by),
            _plain_ballots(poll_id, ballots_by or order_by),
            strict=False,
        )
    )


def _heap(table):
    """Every tuple of a table's heap pages, live and dead: (ctid, xmin, xmax, [attr bytes])."""
    blocks = _sql("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])[0][0]
    out = []
    for blk in range(blocks):
        out += [
            (f"({blk},{lp})", xmin, xmax, [bytes(a) for a in attrs if a is not None])
            for lp, xmin, xmax, attrs in _sql(
                "SELECT lp, t_xmin::text::bigint, t_xmax::text::bigint, "
                "tuple_data_split(%s::regclass, t_data, t_infomask, t_infomask2, t_bits) "
                "FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
                [table, table, blk],
            )
        ]
    return out


def attack_dead_tuples(poll_id) -> dict:
    """Read every tuple, dead ones included, of every ballot table with pageinspect. A tuple
    written in a unit's 'has voted' transaction (same xmin) belongs to that unit; a live
    plaintext ballot sharing a distinctive value with it (a receipt kept across a rewrite, a
    key) is that unit's ballot."""
    _sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
    cast_xmin = {
        x: u
        for x, u in _sql(
            "SELECT xmin::text::bigint, unit_id FROM meetings_votecast WHERE poll_id=%s", [poll_id]
        )
    }
    tuples = [
        t
        for table in ("meetings_ballot", "meetings_sealedballot")
        if table in _tables()
        for t in _heap(table)
    ]
    seen: dict[bytes, int] = {}
    for _ctid, _xmin, _xmax, attrs in tuples:
        for value in set(attrs):
            seen[value] = seen.get(value, 0) + 1

    # Distinctive values: long enough, and not on every row (the poll id is on every row).
    def distinctive(attrs):
        return {v for v in attrs if len(v) >= 8 and seen[v] <= 2}

    live = {
        ctid: json.loads(m) if isinstance(m, str) else m
        for ctid, m in _sql(
            "SELECT ctid::text, marks FROM meetings_ballot WHERE poll_id=%s", [poll_id]
        )
    }
    live_values = {
        ctid: distinctive(attrs)
        for ctid, _xmin, xmax, attrs in _heap("meetings_ballot")
        if ctid in live
    }
    guess = {}
    for _ctid, xmin, _xmax, attrs in tuples:
        unit = cast_xmin.get(xmin)
        if unit is None:
            continue
        mine = distinctive(attrs)
        for ctid, values in live_values.items():
            if mine & values:
                guess.setdefault(unit, live[ctid])
    return guess


@pytest.mark.django_db(transaction=True)
def test_a_database_reader_cannot_link_ballots_to_units_during_the_vote_or_after_close():
    poll, truth = _setup_poll()
    results = {}
    # During the vote.
    results["open: xmin join"] = _score(attack_xmin_join(poll.pk), truth)
    results["open: ctid order"] = _score(attack_row_order(poll.pk, "ctid"), truth)
    results["open: id order"] = _score(attack_row_order(poll.pk, "id"), truth)
    results["open: cast id × ballot ctid"] = _score(attack_row_order(poll.pk, "id", "ctid"), truth)
    results["open: dead tuples"] = _score(attack_dead_tuples(poll.pk), truth)
    services.poll_close(poll=poll, confirm_low_turnout=True)
    results["closed: xmin join"] = _score(attack_xmin_join(poll.pk), truth)
    results["closed: ctid order"] = _score(attack_row_order(poll.pk, "ctid"), truth)
    results["closed: id order"] = _score(attack_row_order(poll.pk, "id"), truth)
    results["closed: cast id × ballot ctid"] = _score(
        attack_row_order(poll.pk, "id", "ctid"), truth
    )
    results["closed: dead tuples"] = _score(attack_dead_tuples(poll.pk), truth)
    print({k: f"{v}/{N}" for k, v in results.items()})
    assert all(v <= CHANCE_BOUND for v in results.values()), results


def _heap_bytes_of_every_table() -> dict[str, bytes]:
    """The raw heap pages of every table of the database (what a disk or backup copy holds)."""
    _sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
    out = {}
    for table in sorted(_tables()):
        blocks = _sql("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])[
            0
        ][0]
        out[table] = b"".join(
            bytes(_sql("SELECT get_raw_page(%s, %s)", [table, blk])[0][0]) for blk in range(blocks)
        )
    return out


@pytest.mark.django_db(transaction=True)
def test_no_table_holds_a_plaintext_choice_while_the_poll_is_open():
    from blocs.models import AuditEvent
    from meetings.models import Ballot, SealedBallot

    poll, truth = _setup_poll()
    assert not Ballot.objects.filter(poll=poll).exists()
    boxes = [bytes(b) for b in SealedBallot.objects.filter(poll=poll).values_list("box", flat=True)]
    assert len(boxes) == N and len({len(b) for b in boxes}) == 1  # one length for all
    # No page of any table holds a ballot in clear: not the encoding sealed in the boxes, not a
    # JSON list of marks, not a row of the plaintext ballot table.
    pages = _heap_bytes_of_every_table()
    markers = [b'"m":[', b'"marks"']
    for marks in truth.values():
        markers.append(json.dumps({"m": marks}, separators=(",", ":")).encode())
    found = {t: m for t, data in pages.items() for m in markers if m in data}
    assert found == {}, found
    assert "meetings_sealedballot" in pages and len(pages["meetings_sealedballot"]) > 0
    assert not any("marks" in str(e.data) for e in AuditEvent.objects.all())
    # The one table a tally could be read from is empty until close.
    assert _sql("SELECT count(*) FROM meetings_ballot WHERE poll_id=%s", [poll.pk]) == [(0,)]
    # Control: after close the plaintext ballots exist, so the same scan would see them.
    services.poll_close(poll=poll)
    assert _sql("SELECT count(*) FROM meetings_ballot WHERE poll_id=%s", [poll.pk]) == [(N,)]
