"""The standalone verifier (meetings/verify.py) carries its own copy of the runoff rule, because a
voter runs it without the app. This keeps the copy in step with meetings/results.py."""

import itertools
import random

import pytest

from meetings import results, verify
from meetings.models import Poll


def _cases():
    rng = random.Random(14)
    for _ in range(300):
        n = rng.randint(0, 7)
        votes = sorted((rng.randint(0, 5) for _ in range(n)), reverse=True)
        rows = [(f"c{i}", f"Ứng viên {i}", v) for i, v in enumerate(votes)]
        winners = [r[0] for r in rows[: rng.randint(0, min(2, n))]]
        yield rows, winners, rng.randint(0, 3)


@pytest.mark.parametrize("rule", [value for value, _label in Poll.RunoffRule.choices])
def test_the_verifier_picks_the_same_runoff_as_the_app(rule):
    checked = 0
    for rows, winners, seats_left in itertools.islice(_cases(), 300):
        app = results._runoff_keys(rows, winners, seats_left, rule)
        # the verifier's rows are (key, votes), the app's (key, label, votes)
        standalone = verify.runoff_keys([(k, v) for k, _l, v in rows], winners, seats_left, rule)
        assert standalone == app, (rows, winners, seats_left, rule)
        checked += bool(app)
    assert checked > 50  # the cases do reach runoffs, not only empty answers
