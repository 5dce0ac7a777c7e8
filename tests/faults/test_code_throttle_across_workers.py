"""The wrong-code throttle holds across gunicorn workers, as production runs it (DEBUG off, 4 sync
workers, PostgreSQL, Redis unused for it): ten wrong codes sent at once over ten connections are
all counted, whichever worker took them, and then the right code is refused too. And with Redis
unreachable, a slip's code still casts a ballot and a wrong code is still counted."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from meetings import services, throttle
from meetings.models import VoteCast, WrongCodes
from tests.factories import open_leader_poll

from .conftest import csrf_token

pytestmark = [pytest.mark.postgres]


def _post(base: str, code: str, **fields) -> tuple[int, str]:
    s = requests.Session()  # a new connection each time: the attempts spread over the workers
    page = s.get(f"{base}/vote/", timeout=30)
    r = s.post(
        f"{base}/vote/",
        data={"csrfmiddlewaretoken": csrf_token(page.text), "code": code, **fields},
        headers={"Referer": f"{base}/vote/"},
        timeout=30,
    )
    return r.status_code, r.text


def test_wrong_codes_at_once_over_four_workers_are_all_counted_then_the_right_code_is_refused(
    gunicorn,
):
    poll, units = open_leader_poll(3, candidates=2)
    slips = services.poll_slips_issue(poll=poll, unit_ids=[u.pk for u in units], actor=None)
    server = gunicorn(workers=4)
    server.wait_workers(4)
    wrong = [f"WRONG{i:05d}" for i in range(throttle.CLIENT_LIMIT)]
    with ThreadPoolExecutor(max_workers=len(wrong)) as pool:
        answers = list(pool.map(lambda c: _post(server.url, c)[0], wrong))
    assert answers == [404] * throttle.CLIENT_LIMIT
    assert list(WrongCodes.objects.values_list("failures", flat=True)) == [throttle.CLIENT_LIMIT]
    status, page = _post(server.url, slips[0].code)
    assert status == 429 and "Đã nhập sai mã quá nhiều lần" in page
    assert units[0].name not in page and poll.title not in page
    assert not VoteCast.objects.filter(poll=poll).exists()


def test_with_redis_unreachable_a_ballot_is_cast_and_a_wrong_code_counted(gunicorn):
    poll, units = open_leader_poll(3, candidates=2)
    slips = services.poll_slips_issue(poll=poll, unit_ids=[u.pk for u in units], actor=None)
    server = gunicorn(workers=2, env={"CACHE_URL": "redis://127.0.0.1:9/0"})  # nothing listens
    candidate = poll.candidates.first().pk
    status, page = _post(server.url, slips[0].code, marks=candidate, step="confirm")
    assert status == 200 and "Mã biên nhận của bạn" in page
    assert VoteCast.objects.filter(poll=poll, unit=slips[0].voter.unit_id).exists()
    assert _post(server.url, "WRONG00000")[0] == 404
    assert list(WrongCodes.objects.values_list("failures", flat=True)) == [1]
