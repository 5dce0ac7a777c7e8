"""Benchmark: N voters cast secret ballots concurrently into one open poll, against gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_meetings .venv/bin/python bench/vote.py [--quick]

The script makes its own data (a bloc with N member units, all present, one open poll), starts
gunicorn on 127.0.0.1:8112 (4 sync workers, DEBUG off) with the same DATABASE_URL, measures a
trivial POST view (the floor) and then the ballots with the same client concurrency, checks the
tally against what was sent, and prints

    RESULT vote voters=… accepted=… lost=… doubled=… s=… ballots_per_s=… p50_ms=… p95_ms=… floor_p95_ms=…

Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8112"))
RECEIPT = re.compile(r'id="receipt">([A-Z0-9]+)<')


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def make_poll(voters: int):
    """A bloc-year with `voters` member units, all present, and an open secret honour vote."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from awards.models import AwardTitle
    from blocs.models import Bloc, BlocYear, Membership, Organizer, Unit
    from meetings import services
    from meetings.models import Attendance, Poll

    call_command("migrate", verbosity=0)
    tag = secrets.token_hex(3)
    org = Organizer.objects.create(
        code=f"bench-{tag}", name=f"Tỉnh thử tải {tag}", place_name="Thử tải"
    )
    bloc = Bloc.objects.create(organizer=org, code="k", name="Khối thử tải", short_name="KTT")
    year = BlocYear.objects.create(bloc=bloc, year=2024)
    units = Unit.objects.bulk_create(
        Unit(organizer=org, code=f"u{i:04d}", name=f"Đơn vị thử tải {i:04d}") for i in range(voters)
    )
    Membership.objects.bulk_create(Membership(bloc_year=year, unit=u) for u in units)
    meeting = services.meeting_create(
        bloc_year=year,
        kind="yearend",
        title="Hội nghị thử tải",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8)),
    )
    meeting.attendances.update(status=Attendance.Status.PRESENT)
    title, _ = AwardTitle.objects.get_or_create(
        code="bang-khen-chu-tich-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )
    poll = services.poll_create(
        meeting=meeting,
        kind=Poll.Kind.AWARD,
        award_title=title,
        title="Suy tôn thử tải",
        mode=Poll.Mode.SECRET,
        seats=2,
        max_marks=2,
        candidates=units[:4],
    )
    poll = services.poll_open(poll=poll)
    return (
        poll,
        list(poll.voters.values_list("code", flat=True)),
        list(poll.candidates.values_list("pk", flat=True)),
    )


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_hex(16),
        ALLOWED_HOSTS=HOST,
        HTTPS="False",
        BENCH_ENDPOINTS="1",
        CONN_MAX_AGE="600",
        LOG_LEVEL="ERROR",
    )
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "khoithidua.wsgi",
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(
        "gunicorn did not start: " + (proc.stderr.read().decode() if proc.stderr else "")
    )


CSRF = secrets.token_hex(16)  # 32 chars: a valid unmasked CSRF secret for cookie + header


def post(path: str, body: dict | None = None, *, htmx: bool = False) -> tuple[int, str, float]:
    data = urlencode(body or {}, doseq=True)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Connection": "close",
    }
    if htmx:
        headers["HX-Request"] = "true"
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    try:
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        return resp.status, text, (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def run(jobs, concurrency: int):
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: job(), jobs, timeout=120))
    return results, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100 voters, under a minute")
    parser.add_argument("--voters", type=int, default=None)
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "16"))
    )
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    voters = args.voters or (100 if args.quick else 500)
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        print(
            "note: DATABASE_URL is not PostgreSQL; the goal is measured on PostgreSQL",
            file=sys.stderr,
        )
    setup_django()
    poll, codes, candidates = make_poll(voters)
    proc = start_gunicorn(args.workers)
    try:
        # Warm every worker, then the floor: a trivial POST with the same client concurrency.
        run([lambda: post("/bench/ping-post/") for _ in range(40)], args.concurrency)
        floor, _ = run([lambda: post("/bench/ping-post/") for _ in range(voters)], args.concurrency)
        floor_ms = [ms for status, _, ms in floor if status == 200]
        # The ballots: each voter marks 1–2 candidates (or none) and keeps the receipt.
        rng = random.Random(42)
        plan = {code: sorted(rng.sample(candidates, rng.choice([0, 1, 2, 2]))) for code in codes}

        def cast(code: str):
            status, text, ms = post(f"/vote/{code}/", {"marks": plan[code]}, htmx=True)
            m = RECEIPT.search(text)
            return code, status, (m.group(1) if m else None), ms

        results, seconds = run([lambda c=c: cast(c) for c in codes], args.concurrency)
        # A second ballot from the same codes must be refused (one ballot per unit).
        again, _ = run([lambda c=c: cast(c) for c in codes[:20]], args.concurrency)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()

    from meetings import services
    from meetings.models import Ballot, VoteCast

    accepted = {code: receipt for code, status, receipt, _ in results if status == 200 and receipt}
    vote_ms = [ms for code, status, receipt, ms in results if code in accepted]
    stored = list(Ballot.objects.filter(poll=poll).values_list("receipt", "marks"))
    stored_receipts = {r for r, _ in stored}
    lost = len(set(accepted.values()) - stored_receipts)
    doubled = (
        (len(stored) - len(stored_receipts))
        + max(0, len(stored) - len(accepted))
        + sum(1 for _, status, receipt, _ in again if status == 200 and receipt)
    )
    casts = VoteCast.objects.filter(poll=poll).count()
    sent = {}
    for code in accepted:
        for m in plan[code]:
            sent[m] = sent.get(m, 0) + 1
    poll = services.poll_close(poll=poll)
    tally = services.poll_counts(poll).votes
    exact = tally == sent and casts == len(stored) == len(accepted) and services.verify_chain(poll)
    errors = [(status) for _, status, receipt, _ in results if not (status == 200 and receipt)]
    if errors:
        print(f"refused or failed: {len(errors)} (statuses {sorted(set(errors))})", file=sys.stderr)
    print(
        f"tally equals what was sent: {exact}; second ballots refused: "
        f"{sum(1 for _, s, r, _ in again if s == 409)}/{len(again)}; chain {poll.chain_hash[:16]}…"
    )
    print(
        f"RESULT vote voters={voters} accepted={len(accepted)} lost={lost} doubled={doubled} s={seconds:.2f} "
        f"ballots_per_s={len(accepted) / seconds:.1f} p50_ms={statistics.median(vote_ms) if vote_ms else 0:.1f} "
        f"p95_ms={pct(vote_ms, 95):.1f} floor_p50_ms={statistics.median(floor_ms) if floor_ms else 0:.1f} "
        f"floor_p95_ms={pct(floor_ms, 95):.1f} concurrency={args.concurrency} workers={args.workers} "
        f"tally_exact={int(exact)}"
    )


if __name__ == "__main__":
    main()
