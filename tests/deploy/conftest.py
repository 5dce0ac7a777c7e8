"""The production deployment on loopback: nginx (TLS) in front of app servers started by
deploy/start.sh (DEBUG=0, gunicorn), on the test PostgreSQL and the shared Redis.

Every port comes from the OS (free ports), every run has its own Redis key prefix and its own
nginx directory, so test processes run side by side (pytest-xdist).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import PBKDF2PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
SECRET = "deploy-test-secret-7Hq9fK2mZpL0rT5vW8yB3nD6xC1sA4eG-not-for-production"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [pytest.mark.postgres]
_COLLECTED: list[Path] = []  # static files collected by a whole start in this test process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def production_password(user, password: str) -> None:
    """The servers run the production hashers (PBKDF2); the test settings hash with MD5."""
    user.password = PBKDF2PasswordHasher().encode(password, "muoi-thu-nghiem", iterations=1000)
    user.save(update_fields=["password"])


class Browser:
    """A client that keeps its cookies itself: requests would not send Secure cookies over the
    plain HTTP of a direct request to one app server (X-Forwarded-Proto: https stands for the
    proxy there)."""

    def __init__(self, base: str, verify: str | bool, direct: bool = False):
        self.base = base
        self.verify = verify
        self.direct = direct
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.direct:
            headers.setdefault("X-Forwarded-Proto", "https")
        if method == "POST":
            headers.setdefault("Referer", self.origin + path)
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        r = requests.request(
            method, self.base + path, headers=headers, verify=self.verify, **kwargs
        )
        self.cookies.update(r.cookies.get_dict())
        return r

    @property
    def origin(self) -> str:
        return self.base.replace("http://", "https://")

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs) -> requests.Response:
        return self.request("POST", path, data=data, **kwargs)

    def login_as(self, user) -> Browser:
        """A session row made directly (what a login creates), with the servers' SECRET_KEY."""
        from django.contrib.sessions.backends.db import SessionStore

        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "khoithidua.lib.loginguard.LockoutBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        self.cookies["sessionid"] = store.session_key
        return self

    def form(self, path: str) -> dict:
        """GET a page; return its CSRF token (and one-time token, if any) as form data."""
        html = self.get(path).text
        data = {"csrfmiddlewaretoken": csrf_token(html)}
        once = re.search(r'name="_once" value="([^"]+)"', html)
        if once:
            data["_once"] = once.group(1)
        return data


@dataclass
class AppServer:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@dataclass
class Stack:
    url: str
    cert: str
    servers: list[AppServer] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    port: int = 0  # nginx's
    nginx_error_log: Path | None = None

    def browser(self) -> Browser:
        return Browser(self.url, self.cert)

    def direct(self, index: int) -> Browser:
        return Browser(self.servers[index].url, False, direct=True)


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(d / "privkey.pem"),
            "-out",
            str(d / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return d


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = db["PASSWORD"] or ""
    return f"postgres://{db['USER']}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120, **kwargs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=5, **kwargs).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()[-4000:]}")


@pytest.fixture
def stack(transactional_db, settings, tls, tmp_path, tmp_path_factory):
    """stack(servers=2) → Stack: nginx (https) in front of `servers` app servers, each started by
    deploy/start.sh (gunicorn's access log to `access_log`, if given). The first runs the whole start path (migrate, collectstatic, check
    --deploy); the others start after it, the same way."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    settings.SECRET_KEY = SECRET  # sessions made here must be valid on the servers
    static_root = tmp_path_factory.getbasetemp() / "static-root"
    prefix = f"test-{uuid.uuid4().hex}"
    started: list = []

    def start(
        servers: int = 2, workers: int = 2, full: bool = False, access_log: Path | None = None
    ) -> Stack:
        nginx_port = free_port()
        base = f"https://127.0.0.1:{nginx_port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEMO")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="khoithidua.settings",
            DEBUG="0",
            HTTPS="True",
            SECRET_KEY=SECRET,
            ALLOWED_HOSTS="127.0.0.1",
            CSRF_TRUSTED_ORIGINS=base,
            DATABASE_URL=_database_url(),
            CACHE_URL="redis://127.0.0.1:6379/0",
            CACHE_KEY_PREFIX=prefix,
            TRUSTED_PROXIES="1",
            STATIC_ROOT=str(static_root),
            PYTHON=sys.executable,
            GUNICORN=str(Path(sys.executable).parent / "gunicorn"),
            WEB_CONCURRENCY=str(workers),
            LOG_LEVEL="CRITICAL",
            ACCESS_LOG=str(access_log) if access_log else "/dev/null",
        )
        stack = Stack(url=base, cert=str(tls / "fullchain.pem"), port=nginx_port)
        booting = []
        for i in range(servers):
            port = free_port()
            log = tmp_path / f"app-{i}-{port}.log"
            # The first server of the first stack of this test process runs the whole start path
            # (migrate, collectstatic, check --deploy); the others start the same release once it
            # answers, side by side (each is waited for before nginx starts).
            whole = i == 0 and (full or not _COLLECTED)
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    ["sh", str(ROOT / "deploy" / "start.sh")],
                    cwd=ROOT,
                    env=env | {"BIND": f"127.0.0.1:{port}", "START_ONLY": "0" if whole else "1"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            server = AppServer(proc, port, log)
            started.append(server)
            stack.servers.append(server)
            booting.append(server)
            if whole:
                _wait(f"{server.url}/healthz", proc, log, timeout=300)
                _COLLECTED.append(static_root)
        for server in booting:
            _wait(f"{server.url}/healthz", server.proc, server.log, timeout=300)
        stack.nginx = _start_nginx(
            tmp_path / f"nginx-{nginx_port}", nginx_port, stack, tls, static_root
        )
        started.append(stack.nginx)
        stack.nginx_error_log = tmp_path / f"nginx-{nginx_port}" / "error.log"
        _wait(
            f"{base}/healthz",
            stack.nginx,
            tmp_path / f"nginx-{nginx_port}" / "error.log",
            verify=stack.cert,
        )
        return stack

    yield start
    # Every process is asked to stop at once (nginx first, as before), then each is waited for.
    procs = [item.proc if isinstance(item, AppServer) else item for item in reversed(started)]
    running = [proc for proc in procs if proc.poll() is None]
    for proc in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in running:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    _clear_prefix(prefix)


def _clear_prefix(prefix: str) -> None:
    import redis

    r = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = list(r.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        r.delete(*keys)


def render_nginx_site(values: dict[str, str]) -> str:
    """deploy/nginx/khoithidua.conf.template with ${NAME} filled in, as the nginx image does."""
    text = (ROOT / "deploy" / "nginx" / "khoithidua.conf.template").read_text()
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)


def _start_nginx(
    d: Path, port: int, stack: Stack, tls: Path, static_root: Path
) -> subprocess.Popen:
    d.mkdir(parents=True)
    upstreams = " ".join(
        f"server 127.0.0.1:{s.port} max_fails=1 fail_timeout=5s;" for s in stack.servers
    )
    site = render_nginx_site(
        {
            "APP_SERVERS": upstreams,
            "LISTEN": f"127.0.0.1:{port}",
            "SERVER_NAME": "127.0.0.1",
            "STATIC_ROOT": str(static_root),
            "TLS_CERT": str(tls / "fullchain.pem"),
            "TLS_KEY": str(tls / "privkey.pem"),
        }
    )
    (d / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"  {name}_temp_path {d / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (d / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {d / "nginx.pid"};
error_log {d / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
{temp}
  include {d / "site.conf"};
}}
"""
    )
    with (d / "error.log").open("ab") as log:
        return subprocess.Popen(
            [NGINX, "-p", str(d), "-c", str(d / "nginx.conf")],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
