"""Django's PostgreSQL backend with a health check that costs no round trip when it can.

With persistent connections (`CONN_MAX_AGE`) and `CONN_HEALTH_CHECKS`, Django checks a reused
connection at the start of each request by sending `SELECT 1` and waiting for the answer: one
round trip to PostgreSQL on every request, a third of the round trips of a ballot.

A connection that sits idle between requests receives nothing unless the server is ending it:
on `pg_terminate_backend`, a shutdown or a restart PostgreSQL sends a FATAL message and closes
the socket; a crashed backend's socket is closed by the kernel. Either way the socket becomes
readable. So this check asks the kernel, without waiting, whether anything has arrived:

- nothing has arrived, the connection is idle and psycopg holds it as good → usable;
- anything has arrived (a goodbye, an end of file, or something harmless such as a notice), or
  the connection is in a transaction or marked broken → Django's own check (`SELECT 1`) decides.

A server that vanishes without a word (a cut cable) is not seen by either check: `SELECT 1` would
wait for TCP's timeouts, as the request's first query does here.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            idle = conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
            poller = select.poll()
            poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            quiet = idle and not poller.poll(0)
        except (OSError, ValueError, psycopg.Error):
            quiet = False
        return True if quiet else super().is_usable()
