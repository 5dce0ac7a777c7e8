"""Row-lock tests (PostgreSQL): does a statement run while this test's transaction holds its
locks, or would it queue behind them?"""

from __future__ import annotations

import threading

from django.db import OperationalError, connection, transaction


def in_other_connection(fn) -> str:
    """Run fn in another thread (its own connection) with a short lock timeout: "ok" or
    "waited" (the lock timeout fired: it would have queued behind our lock)."""
    out = []

    def run():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                fn()
            out.append("ok")
        except OperationalError:
            out.append("waited")
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    return out[0]
