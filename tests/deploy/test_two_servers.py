"""Two app servers (deploy/start.sh) behind nginx on one PostgreSQL and one Redis behave as
one: the review's attacks, each run across both servers."""

import datetime as dt
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from documents.models import DocumentVersion
from khoithidua.models import StoredFile
from meetings import services
from meetings.models import Meeting, Poll, SealedBallot, VoteCast
from tests.factories import open_leader_poll

from .conftest import csrf_token, production_password

pytestmark = [pytest.mark.postgres]
PASSWORD = "mat-khau-thu-nghiem"


# --- login brute force --------------------------------------------------------------------------


def _attempt(browser, username, password):
    page = browser.get("/login/")
    r = browser.post(
        "/login/",
        {"csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": password},
    )
    return r.status_code


def test_a_brute_force_split_over_both_servers_gets_only_the_configured_number_of_guesses(
    world, stack, settings
):
    production_password(world.office, PASSWORD)
    production_password(world.secretary, PASSWORD)
    s = stack(servers=2, workers=2)
    # 16 wrong guesses at once, from one client, spread by nginx over both servers (4 workers),
    # with forged X-Forwarded-For addresses (nginx appends the real one; the app trusts 1 proxy).
    guesses = [(s.browser(), f"203.0.113.{n}") for n in range(16)]
    with ThreadPoolExecutor(16) as pool:
        codes = list(
            pool.map(
                lambda b: _guess(b[0], b[1]),
                guesses,
            )
        )
    checked = [c for c in codes if c == 200]  # a password check that said "wrong"
    assert len(checked) == settings.LOGIN_MAX_FAILURES, codes
    assert codes.count(429) == 16 - settings.LOGIN_MAX_FAILURES, codes
    # The right password is refused on both servers now, through nginx and directly.
    assert _attempt(s.browser(), "canbo", PASSWORD) == 429
    assert _attempt(s.direct(0), "canbo", PASSWORD) == 429
    assert _attempt(s.direct(1), "canbo", PASSWORD) == 429
    # Spelling the name another way is the same account.
    assert _attempt(s.browser(), " ＣＡＮＢＯ\t", PASSWORD) == 429
    # Another account from the same client still logs in.
    assert _attempt(s.browser(), "thuky", PASSWORD) == 302


def _guess(browser, forged):
    page = browser.get("/login/", headers={"X-Forwarded-For": forged})
    r = browser.post(
        "/login/",
        {"csrfmiddlewaretoken": csrf_token(page.text), "username": "canbo", "password": "sai"},
        headers={"X-Forwarded-For": forged},
    )
    return r.status_code


# --- files ---------------------------------------------------------------------------------------


def _version(world):
    from documents import services as documents

    meeting = Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
        ends_at=timezone.make_aware(dt.datetime(2024, 12, 5, 11, 30)),
        place="Hội trường Tòa án nhân dân tỉnh",
        host_unit=world.units[0],
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Thị Mai, Chánh Văn phòng Tòa án nhân dân tỉnh",
    )
    return documents.document_finalize(
        kind="minutes", subject=meeting, actor=world.office, base_url="https://khoithidua.example"
    )


def test_a_scan_uploaded_on_one_server_downloads_from_the_other(world, stack):
    version = _version(world)
    s = stack(servers=2)
    a, b = s.direct(0).login_as(world.office), s.direct(1).login_as(world.office)
    scan = b"%PDF-1.4\n% ban scan co chu ky\n" + bytes(range(256)) * 40
    detail = f"/documents/v/{version.pk}/"
    r = a.post(
        f"/documents/v/{version.pk}/scan/",
        data=a.form(detail),
        files={"scan": ("ban-scan.pdf", scan, "application/pdf")},
    )
    assert r.status_code == 302, r.text[:500]
    assert DocumentVersion.objects.get(pk=version.pk).scan
    got = b.get(f"/documents/v/{version.pk}/scan/download/")
    assert got.status_code == 200
    assert got.content == scan
    via_nginx = s.browser().login_as(world.office).get(f"/documents/v/{version.pk}/scan/download/")
    assert via_nginx.content == scan


def test_a_refused_upload_leaves_no_file_behind(world, stack):
    version = _version(world)
    s = stack(servers=1)
    a = s.direct(0).login_as(world.office)
    before = StoredFile.objects.count()
    r = a.post(
        f"/documents/v/{version.pk}/scan/",
        data=a.form(f"/documents/v/{version.pk}/"),
        files={"scan": ("gia.pdf", b"<html>khong phai PDF</html>", "application/pdf")},
    )
    assert r.status_code == 302
    assert not DocumentVersion.objects.get(pk=version.pk).scan
    assert StoredFile.objects.count() == before


# --- submit once -----------------------------------------------------------------------------------


def test_the_same_form_sent_to_both_servers_at_once_creates_one_row(world, stack):
    s = stack(servers=2, workers=2)
    path = f"/years/{world.bloc_year.pk}/meetings/new/"
    a, b = s.direct(0).login_as(world.office), s.direct(1).login_as(world.office)
    data = {
        **a.form(path),
        "kind": "yearend",
        "title": "Hội nghị tổng kết năm 2024",
        "starts_at": "2024-11-21T08:00",
        "place": "Hội trường",
    }
    assert "_once" in data
    b.cookies.update(a.cookies)  # the same browser, its requests sent to two servers
    for trial in range(3):
        data["title"] = f"Hội nghị tổng kết năm 2024 (lần {trial})"
        data.update(a.form(path))
        barrier = threading.Barrier(4)
        with ThreadPoolExecutor(4) as pool:
            codes = sorted(
                pool.map(lambda br, bar=barrier: _send(br, bar, path, data), [a, b, a, b])
            )
        assert Meeting.objects.filter(title=data["title"]).count() == 1, codes
        assert codes.count(302) == 1 and codes.count(303) == 3, codes


def _send(browser, barrier, path, data):
    barrier.wait()
    return browser.post(path, data).status_code


# --- secret vote ---------------------------------------------------------------------------------

N = 12


def _open_poll() -> Poll:
    poll, _units = open_leader_poll(N)
    slips = services.poll_slips_issue(
        poll=poll, unit_ids=list(poll.voters.values_list("unit_id", flat=True)), actor=None
    )
    return poll, [s.code for s in slips]


def _vote(browser, code, candidate):
    try:
        page = browser.get("/vote/")
        r = browser.post(
            "/vote/",
            {
                "csrfmiddlewaretoken": csrf_token(page.text),
                "code": code,
                "marks": [candidate],
                "step": "confirm",
            },
        )
    except Exception as exc:  # noqa: BLE001 (a server killed under the request)
        return "error", repr(exc)
    match = re.search(r'<code id="receipt">([^<]+)</code>', r.text)
    if r.status_code == 200 and match:
        return "ok", match.group(1)
    return f"http {r.status_code}", r.text[:300]


def _plan(poll):
    """Candidate of each voter: 6, 4 and 2 votes."""
    cands = list(poll.candidates.order_by("order").values_list("pk", flat=True))
    return [cands[0]] * 6 + [cands[1]] * 4 + [cands[2]] * 2, cands


def _assert_exact(poll, receipts, cands):
    assert VoteCast.objects.filter(poll=poll).count() == N
    assert SealedBallot.objects.filter(poll=poll).count() == N
    stored = set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True))
    assert receipts <= stored and len(stored) == N  # every receipt a voter was shown is stored
    poll = services.poll_close(poll=Poll.objects.get(pk=poll.pk))
    assert services.poll_counts(poll).votes == {cands[0]: 6, cands[1]: 4, cands[2]: 2}


def test_a_secret_vote_split_over_both_servers_counts_exactly(world, stack):
    poll, codes = _open_poll()
    plan, cands = _plan(poll)
    s = stack(servers=2)
    browsers = [s.direct(i % 2) for i in range(N)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda i: _vote(browsers[i], codes[i], plan[i]), range(N)))
    assert [r[0] for r in results] == ["ok"] * N, results
    _assert_exact(poll, {r[1] for r in results}, cands)


def test_one_server_killed_mid_vote_loses_nothing(world, stack):
    poll, codes = _open_poll()
    plan, cands = _plan(poll)
    s = stack(servers=2)
    with ThreadPoolExecutor(4) as pool:
        futures = {i: pool.submit(_vote, s.browser(), codes[i], plan[i]) for i in range(N)}
        deadline = time.monotonic() + 120
        while VoteCast.objects.filter(poll=poll).count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        s.servers[0].kill()  # mid-vote: ballots in flight, nginx still lists the dead server
        results = {i: f.result() for i, f in futures.items()}
    # A request the dead server took may fail: that voter votes again, and is counted once
    # (409 "already recorded" if the dead server had committed the ballot before dying).
    for i, (outcome, _) in list(results.items()):
        if outcome != "ok":
            results[i] = _vote(s.browser(), codes[i], plan[i])
    assert all(outcome in ("ok", "http 409") for outcome, _ in results.values()), results
    again = _vote(s.browser(), codes[0], plan[0])
    assert again[0] == "http 409"
    _assert_exact(poll, {r[1] for r in results.values() if r[0] == "ok"}, cands)
