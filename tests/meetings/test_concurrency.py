"""Ballots cast concurrently from threads on PostgreSQL: none lost, none doubled, none late."""

import threading

import pytest
from django.db import connection

from meetings import services
from meetings.models import Ballot, SealedBallot, VoteCast
from tests.factories import open_leader_poll

pytestmark = [pytest.mark.postgres]

N = 40


def _open_poll():
    return open_leader_poll(N)[0]


def _run(targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except services.VoteRefused as exc:
            results[i] = ("refused", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_ballots_none_lost_none_doubled(transactional_db):
    poll = _open_poll()
    cand = list(poll.candidates.values_list("pk", flat=True))
    voters = list(poll.voters.all())
    # Every unit votes once, and a third of them try a second time at the same moment.
    targets = [
        lambda v=v, i=i: services.ballot_cast(voter=v, marks=[cand[i % 3]])
        for i, v in enumerate(voters)
    ]
    targets += [
        lambda v=v: services.ballot_cast(voter=v, marks=[cand[0]]) for v in voters[: N // 3]
    ]
    results = _run(targets)
    assert not [r for r in results if r[0] == "error"], results
    accepted = [r[1] for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(accepted) == N and len(refused) == N // 3
    assert all("đã được ghi nhận" in r[1] for r in refused)
    assert (
        SealedBallot.objects.filter(poll=poll).count()
        == N
        == VoteCast.objects.filter(poll=poll).count()
    )
    assert set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True)) == set(
        accepted
    )
    poll = services.poll_close(poll=poll)
    counts = services.poll_counts(poll)
    assert counts.ballots == N and sum(counts.votes.values()) == N
    assert sorted(services.poll_bulletin(poll)["receipts"]) == sorted(accepted)


def test_close_during_voting_keeps_every_accepted_ballot_and_refuses_later_ones(transactional_db):
    poll = _open_poll()
    cand = list(poll.candidates.values_list("pk", flat=True))
    voters = list(poll.voters.all())
    targets = [lambda v=v: services.ballot_cast(voter=v, marks=[cand[1]]) for v in voters[:30]]
    targets.insert(15, lambda: services.poll_close(poll=poll, confirm_low_turnout=True).status)
    results = _run(targets)
    assert not [r for r in results if r[0] == "error"], results
    accepted = {r[1] for r in results if r[0] == "ok" and r[1] != "closed"}
    refused = [r for r in results if r[0] == "refused"]
    assert len(accepted) + len(refused) == 30
    assert all("kết thúc" in r[1] or "không mở" in r[1] for r in refused)
    # What was accepted is exactly what is counted; nothing slipped in after close.
    assert set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True)) == accepted
    assert Ballot.objects.filter(poll=poll).count() == len(accepted)
    poll.refresh_from_db()
    assert services.poll_counts(poll).ballots == len(accepted)
    services.poll_seal_check(poll)
    with pytest.raises(services.VoteRefused):
        services.ballot_cast(voter=voters[-1], marks=[cand[0]])
    assert Ballot.objects.filter(poll=poll).count() == len(accepted)
