"""Shared helpers for benchmark scripts: Django setup against DATABASE_URL, timing, memory."""

from __future__ import annotations

import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
    os.environ.setdefault("DEBUG", "0")
    # Production settings require a ballot key; a throwaway one for data that is rolled back.
    os.environ.setdefault("BALLOT_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ.setdefault("HTTPS", "False")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    ensure_static()


def ensure_static() -> None:
    """Production settings serve hashed static files: collect them once if missing."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


class Rollback(Exception):
    """Raised at the end of a benchmark to roll its data back, leaving the database empty."""


def analyze() -> None:
    """ANALYZE after loading: the planner then has the statistics production has (autovacuum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
