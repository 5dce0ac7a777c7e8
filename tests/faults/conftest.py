"""A real gunicorn (sync workers, persistent connections with health checks, DEBUG=0) serving
the test database, for fault tests that kill workers or connections."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def pg_admin():
    """An autocommit connection to the server's `postgres` database, apart from the app's: to
    watch (pg_stat_activity) or act on (terminate, refuse) the app's connections."""
    db = settings.DATABASES["default"]
    conn = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        yield conn
    finally:
        conn.close()


def listening_socket() -> tuple[socket.socket, int]:
    """A loopback socket the OS bound to a free port, listening, for gunicorn to inherit
    (`--bind fd://N`, pass_fds): no window in which a parallel test could take the port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    s.set_inheritable(True)
    return s, s.getsockname()[1]


def _env() -> dict:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="khoithidua.settings",
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="False",
        DATABASE_URL=url,
        CONN_MAX_AGE="60",
        LOG_LEVEL="CRITICAL",
    )
    return env


@dataclass
class Gunicorn:
    proc: subprocess.Popen
    url: str

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def wait_workers(self, n: int, timeout: float = 20) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.workers()
            if len(pids) >= n:
                return pids
            time.sleep(0.1)
        raise AssertionError(f"gunicorn has {len(self.workers())} workers, expected {n}")

    def session(self, user) -> requests.Session:
        """A browser-like session logged in as `user` (a session row made directly)."""
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        s = requests.Session()
        s.cookies.set("sessionid", store.session_key, domain="127.0.0.1")
        return s


@pytest.fixture(scope="session")
def _collected_static():
    # One STATIC_ROOT (var/staticfiles) for every pytest-xdist worker: one collects at a time.
    (ROOT / "var").mkdir(exist_ok=True)
    with open(ROOT / "var" / "collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=_env(),
            check=True,
            timeout=120,
        )


@pytest.fixture
def gunicorn(transactional_db, _collected_static, tmp_path):
    started = []

    def start(workers: int = 2, env: dict | None = None) -> Gunicorn:
        sock, port = listening_socket()
        # Its own keys on the shared Redis: no lockout left from another run or test process.
        env = _env() | {"CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"} | (env or {})
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "khoithidua.wsgi",
                "-w",
                str(workers),
                "-b",
                f"fd://{sock.fileno()}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "3",
                "--log-level",
                "critical",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            pass_fds=(sock.fileno(),),
        )
        sock.close()  # gunicorn holds its own copy
        g = Gunicorn(proc, f"http://127.0.0.1:{port}")
        started.append(g)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {proc.returncode}")
            try:
                if requests.get(g.url + "/healthz", timeout=5).status_code == 200:
                    g.wait_workers(workers)
                    return g
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    yield start
    for g in started:
        if g.proc.poll() is None:
            os.killpg(g.proc.pid, signal.SIGTERM)
            try:
                g.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(g.proc.pid, signal.SIGKILL)
                g.proc.wait()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
