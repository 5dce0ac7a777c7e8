"""Test settings: the same settings, with fast hashing and DEBUG on."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "True")
# Uploaded and generated files: a directory per pytest-xdist worker (gw0, gw1, …), so parallel
# workers never share a file. Set in the environment, not only here, so the servers and commands
# a test starts (gunicorn, db_worker) write to the same per-worker directory.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["MEDIA_ROOT"] = str(
    Path(__file__).resolve().parent.parent / "var" / "test-media" / _WORKER
)
os.environ.setdefault("HTTPS", "False")
# One ballot key for the test process and the servers it starts (gunicorn, DEBUG off).
os.environ.setdefault("BALLOT_KEY", "test-only-ballot-key-9c1f0e7a5b3d2c4e6f8a0b1c2d3e4f5a")

from khoithidua.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGIN_MAX_FAILURES = 5
DEMO_ALLOWED = True  # tests load the demo with DEBUG off (tests/core: production refuses it)
# Tasks run at once when enqueued (a job has finished when the view that started it returns);
# tests of the queue itself use the `task_queue` fixture of jobs.testing (database backend).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
