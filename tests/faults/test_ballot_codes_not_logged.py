"""Ballot codes never reach a log: gunicorn as production runs it (DEBUG off, 2 sync workers,
its access log in the default format, Django's log at DEBUG), a voter's whole path including
wrong codes, a refused second ballot (Django logs "Conflict: …") and a closed poll's code."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from meetings import services
from tests.factories import open_leader_poll

from .conftest import ROOT, _env, csrf_token, listening_socket

pytestmark = [pytest.mark.postgres]


def _poll():
    poll, units = open_leader_poll(4, candidates=2)
    slips = services.poll_slips_issue(poll=poll, unit_ids=[u.pk for u in units], actor=None)
    return poll, [s.code for s in slips]


def test_no_ballot_code_appears_in_the_access_log_or_the_application_log(
    transactional_db, _collected_static, tmp_path
):
    poll, codes = _poll()
    sock, port = listening_socket()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    stderr = (tmp_path / "stderr.log").open("w")  # Django's log handler writes to stderr
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "khoithidua.wsgi",
            "-w",
            "2",
            "-b",
            f"fd://{sock.fileno()}",
            "--access-logfile",
            str(access),
            "--error-logfile",
            str(errors),
            "--log-level",
            "debug",
        ],
        cwd=ROOT,
        env=_env() | {"LOG_LEVEL": "DEBUG", "CACHE_DIR": str(tmp_path / "cache")},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        pass_fds=(sock.fileno(),),
    )
    sock.close()  # gunicorn holds its own copy
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        s = requests.Session()
        url = f"{base}/vote/{poll.pk}/"
        token = csrf_token(s.get(url, timeout=30).text)

        def post(data):
            return s.post(
                url, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": url}
            )

        cand = poll.candidates.first().pk
        assert post({"code": "WRONG00000"}).status_code == 404
        assert post({"code": codes[0]}).status_code == 200
        assert post({"code": codes[0], "marks": cand, "step": "review"}).status_code == 200
        assert post({"code": codes[0], "marks": cand, "step": "confirm"}).status_code == 200
        assert post({"code": codes[0], "marks": cand, "step": "confirm"}).status_code == 409
        assert post({"code": codes[1], "step": "review"}).status_code == 422  # empty ballot
        for code in codes[1:]:
            post({"code": code, "blank": "on", "step": "confirm"})
        services.poll_close(poll=poll)
        assert post({"code": codes[2]}).status_code == 200  # a closed poll's code
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
        stderr.close()
    logs = access.read_text() + errors.read_text() + (tmp_path / "stderr.log").read_text()
    # The logs were written: every request is there, and Django logged the refused ballot.
    assert logs.count(f"POST /vote/{poll.pk}/ HTTP/1.1") >= 8
    assert re.search(rf"Conflict: /vote/{poll.pk}/", logs)
    for code in [*codes, "WRONG00000"]:
        assert code not in logs and code.lower() not in logs
