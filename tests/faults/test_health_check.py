"""The health check of a reused PostgreSQL connection (khoithidua/db/postgresql): no round trip
on a quiet idle connection, Django's `SELECT 1` whenever anything has arrived, and a connection
that the server ended is never handed to a request.

What the server saw is read from `pg_stat_activity.query` (the last statement each backend
received) over a second connection, as an outsider would."""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings
from django.db import connections

from .conftest import pg_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def _wrapper():
    """A fresh connection of the app's own backend, as a worker holds one between requests."""
    conn = connections.create_connection("default")
    conn.ensure_connection()
    try:
        yield conn
    finally:
        conn.close()


def _pid(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _last_query(admin, pid: int) -> str:
    return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def test_the_app_uses_this_backend_with_health_checks_on():
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "khoithidua.db.postgresql"
    assert db["CONN_HEALTH_CHECKS"] is True
    assert connections["default"].vendor == "postgresql"


def test_a_quiet_idle_connection_is_usable_without_a_round_trip():
    with _wrapper() as conn, pg_admin() as admin:
        pid = _pid(conn)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 'last statement before the check'")
        assert conn.is_usable() is True
        assert conn.is_usable() is True
        assert _last_query(admin, pid) == "SELECT 'last statement before the check'"


def test_a_terminated_connection_is_not_usable_and_is_replaced_on_the_next_request():
    with _wrapper() as conn, pg_admin() as admin:
        pid = _pid(conn)
        # Waits (up to 5 s) until the backend has gone: its goodbye (FATAL 57P01) and the end
        # of file have then reached the socket.
        row = admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
        assert row[0] is True
        assert conn.is_usable() is False
        # What a request does first: the check fails, the connection is closed and replaced.
        conn.health_check_done = False
        conn.close_if_health_check_failed()
        assert conn.connection is None
        assert _pid(conn) != pid


def test_something_harmless_arrived_then_selects_1_and_stays_usable():
    with _wrapper() as conn, _wrapper() as other, pg_admin() as admin:
        pid = _pid(conn)
        with conn.cursor() as cursor:
            cursor.execute("LISTEN khoithidua_health_check")
        with other.cursor() as cursor:  # a notification is delivered within its database
            cursor.execute("NOTIFY khoithidua_health_check, 'x'")
        admin.execute("SELECT pg_sleep(0.05)")
        assert conn.is_usable() is True
        assert _last_query(admin, pid) == "SELECT 1"


def test_inside_a_transaction_the_check_asks_the_server():
    with _wrapper() as conn, pg_admin() as admin:
        pid = _pid(conn)
        conn.set_autocommit(False)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 'in a transaction'")
        assert conn.is_usable() is True
        assert _last_query(admin, pid) == "SELECT 1"
        conn.rollback()
        conn.set_autocommit(True)
