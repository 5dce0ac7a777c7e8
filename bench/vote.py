"""Benchmark: secret ballots (sealed boxes on) cast concurrently through gunicorn, PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kt_bench .venv/bin/python bench/vote.py [--quick] [--polls 50]

It makes its own data in the (migrated, empty) database: N member units, all present, open
secret polls with a printed slip (one-time code) per unit; runs ANALYZE; starts gunicorn on a
free loopback port (DEBUG off, 4 sync workers); and measures

- the floor: a trivial POST view, same client, same concurrency (`floor_rps`, `floor_p95_ms`),
  taken before, between the two halves of, and after the ballots at 16 connections: the median
  of the three, with `floor_rps_min` and `floor_rps_max`;
- ballots at 16 client connections (`p95_16_ms`, `ballots_per_s`, its ratio to the floor);
- ballots at 500 connections opened at once (`p95_500_ms`, `s_many`: all accepted in that time),
  sent by one asyncio loop (500 client threads would take the server's CPU);
- `cpu_ms_per_ballot`: CPU time of this process per ballot through the whole Django stack
  (middleware, view, encryption, SQL client side, template), measured in-process by calling
  Django's WSGI application as gunicorn does, the form urlencoded as the browser (htmx) and the
  load phases send it: the median over windows of 50 ballots, each followed by 50 trivial POSTs
  (`floor_cpu_ms_per_post`); `cpu_ms_per_ballot_testclient` is the same through Django's test
  client (the measure of earlier runs, which adds the client's own bookkeeping);
- `close_s`: closing the 500-ballot poll (decrypt, shuffle, one INSERT, seal);
- lost (accepted but not stored), doubled (stored twice, or a second ballot accepted), and
  whether every tally equals what was sent and every bulletin matches its seal.

`--polls 50` spreads ~1,300 voters over 50 polls open at once (the year-end peak). Traffic goes
to 127.0.0.1 only; every loop is bounded in count and time. Data is left in a fresh organizer
(use an empty bench database). Last line: RESULT vote …
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BALLOT_KEY", "bench-" + secrets.token_urlsafe(32))
HOST = "127.0.0.1"
RECEIPT = re.compile(r'id="receipt">([A-Z0-9]+)<')
CSRF = secrets.token_hex(16)  # 32 chars: a valid unmasked CSRF secret for cookie + header


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def make_polls(n_polls: int, voters: int):
    """A bloc-year with `voters` member units, all present, and `n_polls` open secret polls,
    each with its own roll: returns [(poll, {code: unit_id}, [candidate ids])]."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from awards.models import AwardTitle
    from blocs.models import Bloc, BlocYear, Membership, Organizer, Unit
    from meetings import services
    from meetings.models import Attendance, Poll

    tag = secrets.token_hex(3)
    org = Organizer.objects.create(
        code=f"bench-{tag}", name=f"Tỉnh thử tải {tag}", place_name="Thử tải"
    )
    title, _ = AwardTitle.objects.get_or_create(
        code="bang-khen-chu-tich-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )
    out = []
    per_bloc = max(1, n_polls)
    for b in range(per_bloc):
        bloc = Bloc.objects.create(organizer=org, code=f"k{b}", name=f"Khối thử tải {b}")
        year = BlocYear.objects.create(bloc=bloc, year=2024)
        units = Unit.objects.bulk_create(
            Unit(organizer=org, code=f"u{b}-{i:04d}", name=f"Đơn vị thử tải {b}-{i:04d}")
            for i in range(voters)
        )
        Membership.objects.bulk_create(Membership(bloc_year=year, unit=u) for u in units)
        meeting = services.meeting_create(
            bloc_year=year,
            kind="yearend",
            title="Hội nghị thử tải",
            starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8)),
        )
        meeting.attendances.update(status=Attendance.Status.PRESENT)
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
        slips = services.poll_slips_issue(poll=poll, unit_ids=[u.pk for u in units], actor=None)
        out.append(
            (
                poll,
                {s.code: s.voter.unit_id for s in slips},
                list(poll.candidates.values_list("pk", flat=True)),
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
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
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "khoithidua.wsgi",
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            "--timeout",
            "120",  # the first request imports every app (WeasyPrint …): slow on a busy machine
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit(
        "gunicorn did not start: " + (proc.stderr.read().decode() if proc.stderr else "")
    )


def post(port: int, path: str, body: dict | None = None) -> tuple[int, str, float]:
    data = urlencode(body or {}, doseq=True)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "HX-Request": "true",
        "Connection": "close",
    }
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        return resp.status, text, (time.perf_counter() - t0) * 1000
    except OSError as exc:
        return 0, repr(exc), (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def burst(port: int, path: str, requests: list[tuple[str, dict]], timeout: float = 120.0):
    """Every request on its own connection, all released at the same instant: the voters of a
    hall pressing «Gửi phiếu» together. One thread, one non-blocking socket per request and a
    selector, not one thread per voter: the load generator shares the machine's 2 cores with
    the server, and 500 Python threads (or asyncio: 0.40–0.46 ms of CPU per request with bare
    protocols, 0.55 ms with streams, measured) would take CPU from the server being measured,
    and be slow to close their end, which a gunicorn sync worker waits for before it takes the
    next request (in production nginx closes at once). Each request's time runs from the
    release to the server's end of file after the whole reply. Returns ([(key, status, text,
    ms)], seconds until the last reply)."""
    import errno
    import selectors

    payloads = []
    for key, body in requests:
        data = urlencode(body, doseq=True).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(data)}\r\nCookie: csrftoken={CSRF}\r\n"
            f"X-CSRFToken: {CSRF}\r\nHX-Request: true\r\nConnection: close\r\n\r\n"
        )
        payloads.append((key, head.encode() + data))
    results: dict[int, tuple] = {}
    sel = selectors.DefaultSelector()
    t0 = time.perf_counter()

    def finish(i, sock, status, text):
        results[i] = (payloads[i][0], status, text, (time.perf_counter() - t0) * 1000)
        if sock is not None:
            sel.unregister(sock)
            sock.close()

    for i, (_key, payload) in enumerate(payloads):  # the release: every connection at once
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex((HOST, port))
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            finish(i, None, 0, f"connect: {errno.errorcode.get(err, err)}")
            continue
        sel.register(sock, selectors.EVENT_WRITE, [i, payload, []])
    deadline = t0 + timeout
    while sel.get_map() and time.perf_counter() < deadline:
        for k, _events in sel.select(1.0):
            sock, (i, unsent, chunks) = k.fileobj, k.data
            try:
                if unsent:  # connected: send the request, then wait for the reply
                    k.data[1] = unsent[sock.send(unsent) :]
                    if not k.data[1]:
                        sel.modify(sock, selectors.EVENT_READ, k.data)
                    continue
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as exc:
                if not chunks:
                    finish(i, sock, 0, repr(exc))
                    continue
                chunk = b""
            if chunk:
                chunks.append(chunk)
                continue
            raw = b"".join(chunks)  # the server's end of file: the reply is whole
            status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
            finish(i, sock, status, raw.decode("utf-8", "replace"))
    for k in list(sel.get_map().values()):
        k.fileobj.close()
    sel.close()
    out = [
        results.get(i, (key, 0, "timeout", timeout * 1000)) for i, (key, _p) in enumerate(payloads)
    ]
    return out, time.perf_counter() - t0


def run(jobs, concurrency: int):
    """Run jobs on `concurrency` threads (client connections)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: job(), jobs, timeout=300))
    return results, time.perf_counter() - t0


def wsgi_poster():
    """POST to Django's WSGI application in this process, as gunicorn's worker calls it (one
    environ per request, the body read from wsgi.input, the reply iterated and closed): the
    server's own work per request, without the test client's bookkeeping (its signal handlers,
    cookie jar and response copies)."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()

    def post_wsgi(path: str, body: str) -> tuple[str, bytes]:
        data = body.encode()
        status = []
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": HOST,
            "HTTP_HOST": HOST,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(data)),
            "HTTP_COOKIE": f"csrftoken={CSRF}",
            "HTTP_X_CSRFTOKEN": CSRF,
            "HTTP_HX_REQUEST": "true",
            "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        reply = app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            content = b"".join(reply)
        finally:
            reply.close()
        return status[0], content

    return post_wsgi


def cpu_per_ballot(n: int, window: int = 50) -> dict:
    """CPU ms of this process per ballot through Django's whole stack (middleware, view,
    encryption, SQL client side, template), in-process; and the same for the trivial POST view
    (its floor). Two callers: Django's WSGI application called as gunicorn calls it (the
    reported `cpu_ms_per_ballot`) and, for comparison with earlier runs, the test client
    (`cpu_ms_per_ballot_testclient`). The ballots run in windows of `window`, each followed by
    a window of trivial POSTs, the two callers alternating window by window; each figure is the
    median over its windows: the CPU time of one window on this (shared, 2-core) machine varies
    by ±30 % from run to run. Every ballot must come back with its receipt."""
    from django.test import Client, override_settings

    ((poll, codes, cands),) = make_polls(1, 2 * n + 10)
    client = Client()
    post_wsgi = wsgi_poster()
    rng = random.Random(7)
    items = list(codes)
    form = "application/x-www-form-urlencoded"  # what the browser (htmx) and the load phases send

    def cast_wsgi(code, marks):
        body = urlencode({"code": code, "marks": marks, "step": "confirm"}, doseq=True)
        status, content = post_wsgi("/vote/", body)
        assert status.startswith("200") and RECEIPT.search(content.decode()), status

    def cast_client(code, marks):
        body = urlencode({"code": code, "marks": marks, "step": "confirm"}, doseq=True)
        r = client.post("/vote/", body, content_type=form, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and RECEIPT.search(r.content.decode()), r.status_code

    for i, code in enumerate(items[:10]):  # warm caches (templates, candidates, key objects)
        (cast_wsgi if i % 2 else cast_client)(code, [cands[0]])
    out = {"wsgi": [], "wsgi_floor": [], "client": [], "client_floor": []}
    with override_settings(BENCH_ENDPOINTS=True):
        for _ in range(5):
            client.post("/bench/ping-post/", "", content_type=form)
            post_wsgi("/bench/ping-post/", "")
        for k, start in enumerate(range(10, len(items), window)):
            chunk = items[start : start + window]
            kind = "wsgi" if k % 2 == 0 else "client"
            cast = cast_wsgi if kind == "wsgi" else cast_client
            t0 = time.process_time()
            for code in chunk:
                cast(code, sorted(rng.sample(cands, 2)))
            out[kind].append((time.process_time() - t0) * 1000 / len(chunk))
            t0 = time.process_time()
            for _ in chunk:
                if kind == "wsgi":
                    post_wsgi("/bench/ping-post/", "")
                else:
                    client.post("/bench/ping-post/", "", content_type=form)
            out[kind + "_floor"].append((time.process_time() - t0) * 1000 / len(chunk))
    return {key: (statistics.median(v), v) for key, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer voters, under a minute")
    parser.add_argument("--voters", type=int, default=None, help="voters per poll")
    parser.add_argument("--polls", type=int, default=1, help="polls open at once (e.g. 50)")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("bench/vote.py measures on PostgreSQL: set DATABASE_URL=postgres://…")
    from _common import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    conc_many = 100 if args.quick else 500
    if args.polls > 1:
        per_poll = args.voters or (6 if args.quick else 26)
    else:
        per_poll = args.voters or (100 if args.quick else 500)
    # Two sets of polls: one voted at 16 connections, one at `conc_many` connections at once.
    set16 = make_polls(args.polls, per_poll)
    # Warm-up ballots (every worker's first ballot opens its database connection, compiles the
    # templates, loads the catalogues): real ballots, checked like the others, not timed.
    set_warm = make_polls(1, 64)
    set_many = make_polls(args.polls, max(per_poll, conc_many // args.polls + 1))
    cpu = cpu_per_ballot(100 if args.quick else 500)

    port = free_port()
    proc = start_gunicorn(port, args.workers)
    rng = random.Random(42)
    plans = {}
    try:
        run([lambda: post(port, "/bench/ping-post/") for _ in range(64)], 16)  # warm every worker
        floor_ms, floor_runs = [], []

        def floor_run(n=400):
            # The floor is taken three times (before, between the two halves of, and after the
            # ballots at 16 connections) and its median kept: on this shared machine one floor
            # run alone varied by ±25 % from run to run.
            res, took = run([lambda: post(port, "/bench/ping-post/") for _ in range(n)], 16)
            ok = [ms for status, _, ms in res if status == 200]
            floor_ms.extend(ok)
            floor_runs.append(len(ok) / took)

        floor_run()

        def ballots(polls):
            out = []
            for poll, codes, cands in polls:
                for code in codes:
                    marks = sorted(rng.sample(cands, rng.choice([0, 1, 2, 2])))
                    plans[code] = (poll.pk, marks)
                    body = {"code": code, "marks": marks, "step": "confirm"}
                    if not marks:
                        body["blank"] = "on"
                    out.append((code, body))
            rng.shuffle(out)
            return out

        def jobs(polls):
            return [lambda c=c, b=b: (c, *post(port, "/vote/", b)) for c, b in ballots(polls)]

        res_warm, _ = run(jobs(set_warm), 16)
        half = jobs(set16)
        res16a, s16a = run(half[: len(half) // 2], 16)
        floor_run()
        res16b, s16b = run(half[len(half) // 2 :], 16)
        floor_run()
        res16, s16 = res16a + res16b, s16a + s16b
        floor_rps = statistics.median(floor_runs)
        res_many, s_many = burst(port, "/vote/", ballots(set_many))
        # A second ballot with the same codes must be refused (one ballot per unit).
        again_codes = list(set16[0][1])[:20]
        again, _ = run(
            [
                lambda c=c: (
                    c,
                    *post(port, "/vote/", {"code": c, "blank": "on", "step": "confirm"}),
                )
                for c in again_codes
            ],
            16,
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    from meetings import services
    from meetings.models import Poll, SealedBallot, VoteCast

    def accepted(results):
        return {
            code: m.group(1)
            for code, status, text, _ms in results
            if status == 200 and (m := RECEIPT.search(text))
        }

    ok16, ok_many, ok_warm = accepted(res16), accepted(res_many), accepted(res_warm)
    ms16 = [ms for code, status, _t, ms in res16 if code in ok16]
    ms_many = [ms for code, status, _t, ms in res_many if code in ok_many]
    all_ok = {**ok16, **ok_many, **ok_warm}
    polls = [p for p, _, _ in set16 + set_many + set_warm]
    stored = {}
    for poll in polls:
        for unit_id, receipt in VoteCast.objects.filter(poll=poll).values_list(
            "unit_id", "receipt"
        ):
            stored[receipt] = unit_id
    lost = len(set(all_ok.values()) - set(stored))
    doubled = sum(
        1
        for _c, status, text, _ms in again
        if status == 200 and RECEIPT.search(text) and "đã được ghi nhận" not in text
    )
    doubled += max(0, sum(SealedBallot.objects.filter(poll=p).count() for p in polls) - len(stored))
    exact = True
    close_s = 0.0
    for poll in polls:
        sent: dict = {}
        for code, (poll_id, marks) in plans.items():
            if poll_id == poll.pk and code in all_ok:
                for m in marks:
                    sent[m] = sent.get(m, 0) + 1
        t0 = time.perf_counter()
        closed = services.poll_close(poll=Poll.objects.get(pk=poll.pk), confirm_low_turnout=True)
        took = time.perf_counter() - t0
        if poll.pk == set_many[0][0].pk:
            close_s = took
        counts = services.poll_counts(closed)
        services.poll_seal_check(closed)
        exact = exact and counts.votes == sent
    failed = [
        status
        for _c, status, text, _ms in res16 + res_many + res_warm
        if not (status == 200 and RECEIPT.search(text))
    ]
    if failed:
        print(f"refused or failed: {len(failed)} (statuses {sorted(set(failed))})", file=sys.stderr)
    voters_many = sum(len(c) for _, c, _ in set_many)
    rps16 = len(ok16) / s16
    print(
        "cpu ms per ballot by window of 50, WSGI: "
        + " ".join(f"{ms:.2f}" for ms in cpu["wsgi"][1])
        + "; test client: "
        + " ".join(f"{ms:.2f}" for ms in cpu["client"][1]),
        file=sys.stderr,
    )
    print(
        f"floor {floor_rps:.0f} req/s (p95 {pct(floor_ms, 95):.1f} ms); ballots at 16 connections "
        f"{rps16:.0f}/s = {100 * rps16 / floor_rps:.0f}% of the floor; {voters_many} voters at "
        f"{conc_many} connections all in {s_many:.2f} s; second ballots refused: "
        f"{sum(1 for _c, s, t, _m in again if s == 409)}/{len(again)}; tallies exact and sealed: {exact}"
    )
    print(
        f"RESULT vote polls={args.polls} voters={len(plans)} accepted={len(all_ok)} lost={lost} "
        f"doubled={doubled} p50_16_ms={statistics.median(ms16) if ms16 else 0:.1f} "
        f"p95_16_ms={pct(ms16, 95):.1f} ballots_per_s={rps16:.1f} floor_rps={floor_rps:.1f} "
        f"floor_p95_ms={pct(floor_ms, 95):.1f} ratio_floor={rps16 / floor_rps:.2f} "
        f"floor_rps_min={min(floor_runs):.1f} floor_rps_max={max(floor_runs):.1f} "
        f"connections_many={conc_many} voters_many={voters_many} s_many={s_many:.2f} "
        f"p95_500_ms={pct(ms_many, 95):.1f} cpu_ms_per_ballot={cpu['wsgi'][0]:.2f} "
        f"floor_cpu_ms_per_post={cpu['wsgi_floor'][0]:.2f} "
        f"cpu_ms_per_ballot_testclient={cpu['client'][0]:.2f} "
        f"floor_cpu_ms_per_post_testclient={cpu['client_floor'][0]:.2f} close_s={close_s:.3f} "
        f"workers={args.workers} tally_exact={int(exact)}"
    )


if __name__ == "__main__":
    main()
