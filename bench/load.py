"""Load: 200 simulated staff browsing against gunicorn + PostgreSQL, next to a trivial view (the floor).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_proof .venv/bin/python bench/load.py [--quick]

Steps (all bounded in count and time; the script stops by itself):
1. in a subprocess without locust (no gevent monkey-patching near the ORM): migrate, make data
   (synthetic provinces, blocs, units, years, meetings via khoithidua.national) unless a previous
   run left it, 200 office-staff users with ready sessions; collectstatic for DEBUG=0;
2. start `gunicorn khoithidua.wsgi -w 4 -b 127.0.0.1:8114` (DEBUG=0, HTTPS=False);
3. locust as a library (FastHttpUser): phase A, mixed browsing (dashboard with filters and htmx
   partials, bloc pages, bloc-year pages, unit pages, and /ping/ mixed in); phase B, the same users
   on /ping/ only: the floor, measured in the same run;
4. stop gunicorn, print the figures. Last line:
   RESULT load users=… rps=… p50_ms=… p95_ms=… errors=… floor_rps=… …

The 500-voter poll benchmark is bench/vote.py (meetings); see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("LOAD_PORT", "8114"))
BASE = f"http://127.0.0.1:{PORT}"
PY = sys.executable
USER_PREFIX = "bench-load-"


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="khoithidua.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-load-secret-key-" + "k" * 40),
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="False",
        LOG_LEVEL="ERROR",
    )
    return env


# --- 1. data (runs in a child process: python bench/load.py --setup OUT.json) -------------------


def setup(out: str, quick: bool, users: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction

    from blocs.models import Bloc, BlocYear, Organizer, RoleAssignment, Unit
    from khoithidua.national import generate

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    scale = (
        dict(provinces=2, blocs=10, units=10, years=3)
        if quick
        else dict(provinces=4, blocs=20, units=10, years=5)
    )
    if not Organizer.objects.filter(code__startswith="nat-").exists():
        generate(**scale)
    orgs = list(Organizer.objects.filter(code__startswith="nat-").order_by("code"))
    User = get_user_model()
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True)
        )
        password = make_password(None)  # unusable: sessions are made directly, no login cost
        User.objects.bulk_create(
            [
                User(username=f"{USER_PREFIX}{i:03d}", password=password)
                for i in range(users)
                if f"{USER_PREFIX}{i:03d}" not in existing
            ]
        )
        staff = list(
            User.objects.filter(username__startswith=USER_PREFIX).order_by("username")[:users]
        )
        RoleAssignment.objects.filter(user__in=staff).delete()
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role="office", organizer=orgs[i % len(orgs)])
                for i, u in enumerate(staff)
            ]
        )
    per_org = {}
    for org in orgs:
        per_org[org.pk] = {
            "blocs": list(Bloc.objects.filter(organizer=org).values_list("pk", flat=True)),
            "years": list(
                BlocYear.objects.filter(bloc__organizer=org).values_list("pk", flat=True)
            ),
            "units": list(Unit.objects.filter(organizer=org).values_list("pk", flat=True)),
        }
    sessions = []
    for i, user in enumerate(staff):
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions.append({"session": s.session_key, **per_org[orgs[i % len(orgs)].pk]})
    counts = {
        "organizers": len(orgs),
        "blocs": Bloc.objects.filter(organizer__in=orgs).count(),
        "years": BlocYear.objects.filter(bloc__organizer__in=orgs).count(),
        "units": Unit.objects.filter(organizer__in=orgs).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics as production has them (autovacuum)
    Path(out).write_text(json.dumps({"sessions": sessions, "counts": counts}))


# --- 2. gunicorn -----------------------------------------------------------------------------


def start_gunicorn(workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "khoithidua.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(proc)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- 3. locust -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * len(values))) - 1))]


def run_load(data: dict, users: int, browse_s: float, floor_s: float) -> dict:
    import gevent
    from locust import FastHttpUser, between, events, task
    from locust.env import Environment

    sessions = data["sessions"]
    samples: dict[str, list] = {"browse": [], "floor_in_mix": [], "floor": []}
    errors: dict[str, list] = {"browse": [], "floor_in_mix": [], "floor": []}
    phase = {"name": "browse"}

    def on_request(request_type, name, response_time, response_length, exception=None, **kw):
        group = (
            phase["name"]
            if not name.startswith("ping")
            else ("floor" if phase["name"] == "floor" else "floor_in_mix")
        )
        samples[group].append(response_time)
        if exception is not None:
            errors[group].append(f"{name}: {exception}"[:200])

    counter = iter(range(10**9))

    class Staff(FastHttpUser):
        host = BASE
        wait_time = between(0.5, 2.0)

        def on_start(self):
            me = sessions[next(counter) % len(sessions)]
            self.me = me
            self.headers = {"Cookie": f"sessionid={me['session']}"}

        def get(self, url, name, **headers):
            with self.client.get(
                url,
                name=name,
                headers=self.headers | headers,
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}")
                elif name != "ping" and b"<" not in (r.content or b"")[:200]:
                    r.failure("not HTML")

        @task
        def browse(self):
            if phase["name"] == "floor":
                self.get("/ping/", "ping")
                return
            me = self.me
            choice = random.random()
            if choice < 0.25:
                q = random.choice(
                    [
                        "",
                        "",
                        "?page=2",
                        "?q=Kh%E1%BB%91i+thi+%C4%91ua+s%E1%BB%91+1",
                        "?level=province",
                    ]
                )
                if q and random.random() < 0.5:
                    self.get("/" + q, "dashboard (htmx)", **{"HX-Request": "true"})
                else:
                    self.get("/" + q, "dashboard")
            elif choice < 0.45:
                self.get(f"/blocs/{random.choice(me['blocs'])}/", "bloc")
            elif choice < 0.75:
                self.get(f"/years/{random.choice(me['years'])}/", "bloc-year")
            elif choice < 0.90:
                self.get(f"/units/{random.choice(me['units'])}/", "unit")
            elif choice < 0.95:
                self.get("/units/", "unit list")
            else:
                self.get("/ping/", "ping")

    env = Environment(user_classes=[Staff], events=events)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    t0 = time.monotonic()
    runner.start(users, spawn_rate=max(50, users // 2))
    gevent.sleep(browse_s)
    browse_wall = time.monotonic() - t0
    phase["name"] = "floor"
    t1 = time.monotonic()
    gevent.sleep(floor_s)
    floor_wall = time.monotonic() - t1
    runner.quit()
    runner.greenlet.join(timeout=10)
    stats = {name: entry for (name, _method), entry in env.stats.entries.items()}
    per_page = {
        name: (
            e.num_requests,
            e.get_response_time_percentile(0.5),
            e.get_response_time_percentile(0.95),
        )
        for name, e in stats.items()
    }
    return {
        "samples": samples,
        "errors": errors,
        "browse_wall": browse_wall,
        "floor_wall": floor_wall,
        "per_page": per_page,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.setup, args.quick, args.users)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "warning: DATABASE_URL is not PostgreSQL; figures will not be representative",
            file=sys.stderr,
        )
    browse_s, floor_s = (20, 8) if args.quick else (60, 20)
    signal.alarm(int(browse_s + floor_s + 240))  # hard stop, whatever happens

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "setup.json")
        subprocess.run(
            [PY, __file__, "--setup", out, "--users", str(args.users)]
            + (["--quick"] if args.quick else []),
            cwd=ROOT,
            env=server_env(),
            check=True,
            timeout=180,
        )
        data = json.loads(Path(out).read_text())
    print(
        f"data: {data['counts']}, {len(data['sessions'])} staff sessions ({time.monotonic() - t0:.1f} s)"
    )
    proc = start_gunicorn(args.workers)
    try:
        print(
            f"gunicorn -w {args.workers} on {BASE}; {args.users} users: browse {browse_s} s, floor {floor_s} s"
        )
        result = run_load(data, args.users, browse_s, floor_s)
    finally:
        stop_gunicorn(proc)

    s, e = result["samples"], result["errors"]
    print(f"{'page':<18}{'requests':>10}{'p50_ms':>9}{'p95_ms':>9}")
    for name, (n, p50, p95) in sorted(result["per_page"].items()):
        print(f"{name:<18}{n:>10}{p50:>9.0f}{p95:>9.0f}")
    all_errors = e["browse"] + e["floor_in_mix"] + e["floor"]
    if all_errors:
        print("errors (first 5):", *all_errors[:5], sep="\n  ")
    browse_n = len(s["browse"]) + len(s["floor_in_mix"])
    rps = browse_n / result["browse_wall"]
    floor_rps = len(s["floor"]) / result["floor_wall"]
    print(
        "RESULT load "
        f"users={args.users} rps={rps:.0f} p50_ms={percentile(s['browse'], 0.5):.0f} "
        f"p95_ms={percentile(s['browse'], 0.95):.0f} errors={len(all_errors)} requests={browse_n} "
        f"floor_rps={floor_rps:.0f} floor_p50_ms={percentile(s['floor'], 0.5):.0f} "
        f"floor_p95_ms={percentile(s['floor'], 0.95):.0f} "
        f"floor_in_mix_p50_ms={percentile(s['floor_in_mix'], 0.5):.0f} workers={args.workers}"
    )


if __name__ == "__main__":
    main()
