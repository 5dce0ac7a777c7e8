"""Issue 15: the cast path. A ballot's voter lookup is one SELECT built once per process
(khoithidua.lib.joinedrow) and gives exactly what `select_related("poll", "poll__meeting")`
gave; the status check and both rows of a ballot are one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khoithidua.lib.joinedrow import JoinedRow
from meetings import crypto, services
from meetings.models import Meeting, Poll, PollVoter

from .conftest import make_poll

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_voter_of_a_code_equals_what_select_related_loads(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    (slip,) = services.poll_slips_issue(
        poll=poll, unit_ids=[world.units[3].pk], actor=world.secretary
    )
    expected = PollVoter.objects.select_related("poll", "poll__meeting").get(
        code_hash=crypto.code_hash(slip.code)
    )
    services.voter_for_code(slip.code)  # the connection's first lookup (PREPARE on PostgreSQL)
    with CaptureQueriesContext(connection) as queries:
        voter = services.voter_for_code(slip.code.lower())
        # Linked as select_related links them: reading the poll and the meeting costs nothing.
        got = (_fields(voter), _fields(voter.poll), _fields(voter.poll.meeting))
        label = voter.poll.meeting.label
    assert len(queries) == 1
    assert got == (_fields(expected), _fields(expected.poll), _fields(expected.poll.meeting))
    # Values went through the backend's converters (aware datetimes, bytes, enums as stored).
    assert voter.poll.opened_at == expected.poll.opened_at and voter.poll.opened_at.tzinfo
    assert bytes(voter.poll.public_key) == bytes(expected.poll.public_key)
    assert label == expected.poll.meeting.label and voter.poll.status == Poll.Status.OPEN
    assert voter._state.adding is False and voter._state.db == "default"
    # Saving the loaded instance updates the row (it is a normal model instance).
    voter.poll.meeting.title = "Hội nghị đã đổi tên"
    voter.poll.meeting.save(update_fields=["title"])
    assert Meeting.objects.get(pk=full_meeting.pk).title == "Hội nghị đã đổi tên"


def test_an_unknown_or_void_code_finds_no_voter(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    (old,) = services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    assert services.voter_for_code(old.code) is None  # reissued: the old code is void
    assert services.voter_for_code("ABCDEFGHJK") is None
    assert services.voter_for_code("") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lookup_is_planned_once_per_session_and_survives_a_rollback_and_a_new_connection(
    world, full_meeting
):
    from django.db import transaction

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    (slip,) = services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    expected = PollVoter.objects.get(code_hash=crypto.code_hash(slip.code)).pk
    name = services._VOTER_BY_CODE.statement

    def prepared_here() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
            return cursor.fetchone()[0]

    # Prepared inside a transaction that rolls back: the statement stays in the session.
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.voter_for_code(slip.code).pk == expected
        raise RuntimeError
    assert prepared_here() == 1
    with CaptureQueriesContext(connection) as queries:
        assert services.voter_for_code(slip.code).pk == expected
    assert [q["sql"].split("(")[0] for q in queries] == [f"EXECUTE {name}"]
    # A new session (the old one closed, as after CONN_MAX_AGE or a failed health check)
    # prepares the statement again.
    connection.close()
    assert prepared_here() == 0
    with CaptureQueriesContext(connection) as queries:
        assert services.voter_for_code(slip.code).pk == expected
    assert [q["sql"].split(" ")[0] for q in queries] == ["PREPARE", "EXECUTE"]


def test_a_receiver_of_post_init_still_sees_every_instance_the_lookup_builds(world, full_meeting):
    """Without listeners the lookup fills the instances directly (the fast path, checked above
    to equal select_related); once a post_init receiver is connected, it is called for the
    voter, its poll and its meeting, as Model.__init__ would call it."""
    from django.db.models.signals import post_init

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    (slip,) = services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    services.voter_for_code(slip.code)  # the plan is made before the receiver exists
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append((sender, instance.pk))

    post_init.connect(receiver)
    try:
        voter = services.voter_for_code(slip.code)
    finally:
        post_init.disconnect(receiver)
    assert seen == [
        (PollVoter, voter.pk),
        (Poll, poll.pk),
        (Meeting, full_meeting.pk),
    ]
    assert voter.poll.meeting.pk == full_meeting.pk
    seen.clear()
    services.voter_for_code(slip.code)
    assert seen == []  # disconnected: the fast path again


def test_a_throttle_key_with_a_space_is_refused_not_split():
    """The keys travel as one space-separated text (throttle.HEAD_SQL): a key containing a
    space would be split into two keys that are never counted, so it is refused."""
    import datetime as dt

    from meetings import throttle

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert throttle.head_params([("client:ab", 10, 900), ("poll:7", 30, 60)], now) == [
        now,
        "client:ab poll:7",
        "10 30",
    ]
    with pytest.raises(ValueError, match="single words"):
        throttle.head_params([("client:a b", 10, 900)], now)


def test_only_non_null_foreign_keys_can_be_joined():
    with pytest.raises(ValueError, match="non-null"):
        JoinedRow(PollVoter, ("slip_issued_by",), where="code_hash").get("x")


def test_a_ballot_checked_while_open_is_refused_in_sql_once_the_poll_has_closed(
    world, full_meeting
):
    """The status is read in the statement that writes the ballot: a voter (and its poll) read
    while the poll was open cannot slip a ballot in after the close, and nothing is written."""
    from meetings.models import SealedBallot, VoteCast

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = list(poll.candidates.values_list("pk", flat=True))
    early, late = list(poll.voters.select_related("poll").order_by("pk")[:2])
    receipt = services.ballot_cast(voter=early, marks=[cand[0]])
    assert late.poll.status == Poll.Status.OPEN  # read before the close
    services.poll_close(poll=poll, confirm_low_turnout=True)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(services.VoteRefused, match="kết thúc"):
            services.ballot_cast(voter=late, marks=[cand[1]])
    # Refused by the cast's own statement, which reads the poll's status under the lock (on
    # PostgreSQL inside meetings_cast_ballot, migration 0006).
    marker = (
        "meetings_cast_ballot("
        if connection.vendor == "postgresql"
        else "FROM meetings_poll WHERE id"
    )
    assert any(marker in q["sql"] for q in queries)
    assert list(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True)) == [receipt]
    assert not SealedBallot.objects.filter(poll=poll).exists()  # the close emptied them
    poll.refresh_from_db()
    assert services.poll_counts(poll).ballots == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ballot_is_one_statement_committed_on_its_own(world, full_meeting):
    """Outside a transaction (as a request casts) the ballot is one statement, with no BEGIN or
    COMMIT round trip: another connection sees both rows as soon as it returns, and a second
    ballot of the unit is refused by the constraint without leaving a row or a broken
    connection behind."""
    import psycopg
    from django.conf import settings

    from meetings.models import SealedBallot, VoteCast

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = list(poll.candidates.values_list("pk", flat=True))
    voter = poll.voters.select_related("poll").order_by("pk").first()
    assert not connection.in_atomic_block
    services.poll_candidate_rows(voter.poll)  # the ballot's candidates, cached once per process
    with CaptureQueriesContext(connection) as queries:
        receipt = services.ballot_cast(voter=voter, marks=[cand[0]])
    assert [q["sql"].split("(")[0] for q in queries] == ["SELECT meetings_cast_ballot"]
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as other:
        rows = other.execute(
            "SELECT receipt FROM meetings_votecast WHERE poll_id = %s", [poll.pk]
        ).fetchall()
        boxes = other.execute(
            "SELECT count(*) FROM meetings_sealedballot WHERE poll_id = %s", [poll.pk]
        ).fetchone()[0]
    assert rows == [(receipt,)] and boxes == 1
    with pytest.raises(services.AlreadyVoted) as again:
        services.ballot_cast(voter=voter, blank=True)
    assert again.value.receipt == receipt
    assert VoteCast.objects.filter(poll=poll).count() == 1
    assert SealedBallot.objects.filter(poll=poll).count() == 1


def test_codes_and_receipts_are_uniform_over_the_alphabet():
    """random_code maps random bytes to the 32-letter alphabet (no 0/O, 1/I): every character
    of it occurs at every position, nothing else occurs, and the frequencies pass a chi-square
    test (31 degrees of freedom; 90 is exceeded by chance about once in ten million)."""
    from collections import Counter

    from meetings.models import CODE_ALPHABET, random_code

    codes = [random_code(10) for _ in range(16_000)]
    assert {len(c) for c in codes} == {10}
    for position in range(10):
        assert {c[position] for c in codes} == set(CODE_ALPHABET)
    counts = Counter("".join(codes))
    assert set(counts) == set(CODE_ALPHABET) and not set(counts) & set("0O1I")
    expected = 160_000 / 32
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < 90, chi2
    assert len(set(codes)) == len(codes)  # 2^50 codes: a repeat here would mean a broken source


def test_the_box_renders_the_same_with_its_earlier_states_given_as_false(world, full_meeting):
    """The vote view gives the box's earlier states (code entry, wrong code, throttled, closed,
    already recorded) as false instead of leaving them out (fewer failed template lookups on
    every ballot): the box's HTML is the same either way, in every state a voter reaches."""
    from django.template.loader import render_to_string

    from meetings import views

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    (slip,) = services.poll_slips_issue(poll=poll, unit_ids=[world.units[3].pk], actor=None)
    voter = services.voter_for_code(slip.code)
    given = views._vote_context(voter)
    assert {k: given[k] for k in views._BOX_BEFORE_BALLOT} == views._BOX_BEFORE_BALLOT
    left_out = {k: v for k, v in given.items() if k not in views._BOX_BEFORE_BALLOT}
    base = {"hidden": {"code": slip.code}, "action": "/vote/"}
    for state in ({"receipt": "ABCDEFGHJK"}, {"recorded": "ABCDEFGHJK"}, {"not_open": True}):
        html = render_to_string("meetings/vote.html#box", {**given, **base, **state})
        assert html == render_to_string("meetings/vote.html#box", {**left_out, **base, **state})
        assert slip.voter.unit.name in html or voter.name in html
    assert "ABCDEFGHJK" in render_to_string(
        "meetings/vote.html#box", {**given, **base, "receipt": "ABCDEFGHJK"}
    )
