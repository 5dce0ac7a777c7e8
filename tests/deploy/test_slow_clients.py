"""The review's slow-client attack, now against nginx in front (issue 12): more half-sent
requests than gunicorn has workers, and a 300 MB anonymous upload to /verify/.

Without nginx the same requests hold every sync worker (the last part shows it still does);
through nginx they stay in nginx, which answers others at once, drops a client that never ends
its headers after `client_header_timeout`, and refuses an oversized body from its headers alone.
"""

import socket
import ssl
import threading
import time

import pytest
import requests

pytestmark = [pytest.mark.postgres]

WORKERS = 2
HEADER_TIMEOUT = 10  # client_header_timeout in deploy/nginx/khoithidua.conf.template
HEAD = "Host: 127.0.0.1\r\nUser-Agent: slow\r\n"


def _connect(port: int, cert: str | None) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if cert is None:
        return sock
    context = ssl.create_default_context(cafile=cert)
    return context.wrap_socket(sock, server_hostname="127.0.0.1")


class Attack:
    """Half-sent requests kept alive by a thread that trickles one more piece every second:
    `headers` never end their header block (slowloris), `bodies` announce a body they send a
    byte at a time. Records when the server closed each connection."""

    def __init__(self, port: int, cert: str | None, headers: int, bodies: int):
        self.socks: list[tuple[str, socket.socket]] = []
        for _ in range(headers):
            sock = _connect(port, cert)
            sock.sendall(f"GET /login/ HTTP/1.1\r\n{HEAD}".encode())
            self.socks.append(("headers", sock))
        for _ in range(bodies):
            sock = _connect(port, cert)
            sock.sendall(
                f"POST /login/ HTTP/1.1\r\n{HEAD}Content-Type: application/x-www-form-"
                f"urlencoded\r\nContent-Length: 100000\r\n\r\nusername=".encode()
            )
            self.socks.append(("body", sock))
        self.started = time.monotonic()
        self.closed_after: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        n = 0
        while not self._stop.wait(1):
            n += 1
            for i, (kind, sock) in enumerate(self.socks):
                if i in self.closed_after:
                    continue
                try:
                    sock.sendall(f"X-Slow-{n}: a\r\n".encode() if kind == "headers" else b"a")
                    sock.settimeout(0.01)
                    if sock.recv(1024) == b"":
                        raise ConnectionResetError
                except (TimeoutError, ssl.SSLWantReadError):
                    pass  # still open, nothing to read
                except (OSError, ssl.SSLError):
                    self.closed_after[i] = time.monotonic() - self.started

    def open_count(self, kind: str) -> int:
        return sum(
            1 for i, (k, _) in enumerate(self.socks) if k == kind and i not in self.closed_after
        )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for _, sock in self.socks:
            sock.close()


def _timed_get(url: str, **kwargs) -> tuple[int, float]:
    t0 = time.monotonic()
    r = requests.get(url, timeout=10, **kwargs)
    return r.status_code, time.monotonic() - t0


def test_half_sent_requests_and_a_huge_upload_stay_in_nginx(world, stack, tmp_path):
    access_log = tmp_path / "gunicorn-access.log"
    s = stack(servers=1, workers=WORKERS, access_log=access_log)
    # Every worker has served the page once before the attack: a worker's first page imports
    # the views and compiles the templates (~3 s on a busy 2-core machine), which is not what
    # the timings below are about.
    for _ in range(2):
        warm = [
            threading.Thread(
                target=_timed_get, args=(f"{s.url}/login/",), kwargs={"verify": s.cert}
            )
            for _ in range(WORKERS)
        ]
        for t in warm:
            t.start()
        for t in warm:
            t.join(30)
    attackers = 4 * WORKERS
    attack = Attack(s.port, s.cert, headers=attackers // 2, bodies=attackers // 2)
    try:
        time.sleep(2)  # every half-sent request has reached nginx and trickled
        # A normal visitor is served at once, page after page.
        times = []
        for _ in range(5):
            status, seconds = _timed_get(f"{s.url}/login/", verify=s.cert)
            assert status == 200
            times.append(seconds)
        assert max(times) < 2, times

        # 300 MB announced to /verify/ without a session: refused from the headers (the body
        # never has to be sent), by nginx, not the app.
        huge = _connect(s.port, s.cert)
        t0 = time.monotonic()
        huge.sendall(
            f"POST /verify/ HTTP/1.1\r\n{HEAD}Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
        )
        huge.settimeout(5)
        answer = huge.recv(4096).decode("latin-1")
        refused_in = time.monotonic() - t0
        huge.close()
        assert answer.startswith("HTTP/1.1 413"), answer[:200]
        assert "nginx" in answer
        assert refused_in < 2
        assert "client intended to send too large body" in s.nginx_error_log.read_text()

        # nginx drops the clients that never finish their headers; it keeps the slow bodies
        # (buffering them itself, not in a worker).
        deadline = time.monotonic() + HEADER_TIMEOUT + 8
        while attack.open_count("headers") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert attack.open_count("headers") == 0
        header_closes = [
            t for i, t in attack.closed_after.items() if attack.socks[i][0] == "headers"
        ]
        assert min(header_closes) >= HEADER_TIMEOUT - 1, header_closes
        assert attack.open_count("body") == attackers // 2
        assert _timed_get(f"{s.url}/login/", verify=s.cert)[1] < 2
    finally:
        attack.stop()

    log = access_log.read_text()
    assert '"GET /login/ HTTP/1.0" 200' in log or '"GET /login/ HTTP/1.1" 200' in log
    assert "/verify/" not in log  # the upload never reached gunicorn
    assert "User-Agent: slow" not in log and log.count("POST /login/") == 0

    # The same half-sent requests sent to gunicorn directly hold every worker: nothing answers.
    direct = s.servers[0]
    attack = Attack(direct.port, None, headers=attackers // 2, bodies=attackers // 2)
    try:
        time.sleep(1)
        with pytest.raises(requests.Timeout):
            requests.get(f"{direct.url}/healthz", timeout=3)
    finally:
        attack.stop()
    assert _timed_get(f"{direct.url}/healthz")[0] == 200  # free again once they hang up
