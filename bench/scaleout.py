"""Benchmark: the same votes and page loads against one app server and against two, each behind
nginx (TLS, deploy/nginx/khoithidua.conf.template), in the same run; both started by
deploy/start.sh (START_ONLY=1 after one collectstatic) on one PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kt_bench .venv/bin/python bench/scaleout.py [--quick]

Makes its own data (bench/vote.py's make_polls: one open secret poll per phase), runs ANALYZE.
Per phase: secret ballots (one POST each, a fresh one-time code) and dashboard loads (GET / as
a logged-in office user), 8 client threads. Reports rps and p95 of each, errors (anything but
200), and checks that every accepted ballot is stored once. On 2 cores the ratio rps_2/rps_1
is near 1: correctness is the point; the ratio is what was measured. nginx's per-client rate
limits are raised for this run only (all traffic comes from 127.0.0.1). Loopback only; every
loop is bounded. Last line: RESULT scaleout …
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-scaleout-" + secrets.token_hex(24)
os.environ["SECRET_KEY"] = SECRET
os.environ.setdefault("BALLOT_KEY", "bench-" + secrets.token_urlsafe(32))
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))
HOST = "127.0.0.1"
CSRF = secrets.token_hex(16)
RECEIPT = re.compile(r'id="receipt">([A-Z0-9]+)<')

from bench import _common  # noqa: E402
from bench.vote import free_port, make_polls, pct  # noqa: E402


def start_app(port: int, workers: int, prefix: str) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(
        os.environ,
        DEBUG="0",
        HTTPS="True",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=url,
        CACHE_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=prefix,
        TRUSTED_PROXIES="1",
        START_ONLY="1",
        BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY=str(workers),
        PYTHON=sys.executable,
        GUNICORN=str(Path(sys.executable).parent / "gunicorn"),
        GUNICORN_TIMEOUT="120",
        LOG_LEVEL="ERROR",
        ACCESS_LOG="/dev/null",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "start.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait(lambda: http_get(HOST, port, "/healthz", tls=False)[0] == 200, proc)
    return proc


def wait(ready, proc, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"a server exited with {proc.returncode}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("a server did not start")


def start_nginx(workdir: Path, port: int, upstream_ports: list[int], cert: Path, key: Path):
    from django.conf import settings

    text = (ROOT / "deploy" / "nginx" / "khoithidua.conf.template").read_text()
    values = {
        "APP_SERVERS": " ".join(
            f"server {HOST}:{p} max_fails=1 fail_timeout=5s;" for p in upstream_ports
        ),
        "LISTEN": f"{HOST}:{port}",
        "SERVER_NAME": HOST,
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
    }
    site = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)
    site = re.sub(r"rate=\d+r/[sm]", "rate=100000r/s", site)  # one client here: no per-client cap
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "site.conf").write_text(site)
    temp = "\n".join(
        f"  {n}_temp_path {workdir / n};"
        for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(
        f"{user}worker_processes 2;\ndaemon off;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} error;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n{temp}\n  include {workdir / 'site.conf'};\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait(lambda: http_get(HOST, port, "/healthz", tls=True, cafile=cert)[0] == 200, proc)
    return proc


_CONTEXTS: dict[str, ssl.SSLContext] = {}


def _conn(port: int, tls: bool, cafile: Path | None):
    if not tls:
        return http.client.HTTPConnection(HOST, port, timeout=60)
    key = str(cafile)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = ssl.create_default_context(cafile=key)
    return http.client.HTTPSConnection(HOST, port, timeout=60, context=_CONTEXTS[key])


def http_get(host, port, path, *, tls, cafile=None, cookie="") -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = _conn(port, tls, cafile)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if not tls:
            headers["X-Forwarded-Proto"] = "https"
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status, (time.perf_counter() - t0) * 1000
    except OSError:
        return 0, (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def vote(port, cafile, code, candidate) -> tuple[int, str, float]:
    body = urlencode({"code": code, "marks": [candidate], "step": "confirm"}, doseq=True)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Referer": f"https://{HOST}:{port}/vote/",
    }
    t0 = time.perf_counter()
    conn = _conn(port, True, cafile)
    try:
        conn.request("POST", "/vote/", body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        m = RECEIPT.search(text)
        return resp.status, (m.group(1) if m else ""), (time.perf_counter() - t0) * 1000
    except OSError as exc:
        return 0, repr(exc), (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def phase(port, cafile, poll, codes, cands, pages, cookie, threads=8) -> dict:
    jobs = [(code, cands[i % 2]) for i, code in enumerate(codes)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        votes = list(pool.map(lambda j: vote(port, cafile, *j), jobs))
    vote_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        loads = list(
            pool.map(
                lambda _: http_get(HOST, port, "/", tls=True, cafile=cafile, cookie=cookie),
                range(pages),
            )
        )
    page_s = time.perf_counter() - t0
    from meetings.models import VoteCast

    accepted = {r for s, r, _ in votes if s == 200 and r}
    stored = set(VoteCast.objects.filter(poll=poll).values_list("receipt", flat=True))
    return {
        "vote_rps": len(votes) / vote_s,
        "vote_p95_ms": pct([t for _, _, t in votes], 95),
        "page_rps": len(loads) / page_s,
        "page_p95_ms": pct([t for _, t in loads], 95),
        "rps": (len(votes) + len(loads)) / (vote_s + page_s),
        "errors": sum(1 for s, r, _ in votes if s != 200 or not r)
        + sum(1 for s, _ in loads if s != 200),
        "lost": len(accepted - stored),
        "extra": len(stored - accepted),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    voters, pages = (60, 60) if args.quick else (300, 300)
    _common.setup_django()  # production settings; collects static files once
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    polls = make_polls(2, voters)
    user, _ = User.objects.get_or_create(
        username=f"bench-{secrets.token_hex(3)}", is_superuser=True
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "khoithidua.lib.loginguard.LockoutBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cookie = f"sessionid={store.session_key}"

    work = Path(tempfile.mkdtemp(prefix="scaleout-"))
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    prefix = f"bench-{secrets.token_hex(6)}"
    procs = []
    try:
        a_port, b_port = free_port(), free_port()
        procs.append(start_app(a_port, 2, prefix))
        n1 = free_port()
        procs.append(start_nginx(work / "n1", n1, [a_port], cert, key))
        poll, codes, cands = polls[0]
        one = phase(n1, cert, poll, list(codes), cands, pages, cookie)
        procs.append(start_app(b_port, 2, prefix))
        n2 = free_port()
        procs.append(start_nginx(work / "n2", n2, [a_port, b_port], cert, key))
        poll, codes, cands = polls[1]
        two = phase(n2, cert, poll, list(codes), cands, pages, cookie)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)
    print(f"one server : {one}")
    print(f"two servers: {two}")
    print(
        "RESULT scaleout "
        f"rps_1={one['rps']:.1f} rps_2={two['rps']:.1f} ratio={two['rps'] / one['rps']:.2f} "
        f"vote_rps_1={one['vote_rps']:.1f} vote_rps_2={two['vote_rps']:.1f} "
        f"vote_p95_1_ms={one['vote_p95_ms']:.0f} vote_p95_2_ms={two['vote_p95_ms']:.0f} "
        f"page_rps_1={one['page_rps']:.1f} page_rps_2={two['page_rps']:.1f} "
        f"page_p95_1_ms={one['page_p95_ms']:.0f} page_p95_2_ms={two['page_p95_ms']:.0f} "
        f"errors_1={one['errors']} errors_2={two['errors']} "
        f"lost={one['lost'] + two['lost']} extra={one['extra'] + two['extra']}"
    )


if __name__ == "__main__":
    main()
