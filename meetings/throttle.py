"""Throttling of wrong ballot codes, per client and per poll.

The counters live in the database (`meetings.WrongCodes`, UNLOGGED on PostgreSQL), shared by
every worker and server as the roll itself is: one row per key and window, a fixed window that
starts at the key's first wrong code. On PostgreSQL the check is read in the same statement as
the voter lookup (`services.voter_for_code_unless_throttled`), so a ballot costs no extra round
trip for it; a blocked client learns nothing about its code, valid or not.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from khoithidua.lib.clientip import client_ip

CLIENT_LIMIT = 10  # wrong codes from one client address …
CLIENT_WINDOW = 15 * 60  # … per 15 minutes
POLL_LIMIT = 30  # wrong codes for one poll (all clients) …
POLL_WINDOW = 60  # … per minute: guessing stays hopeless, a mistyping voter is not locked out

Key = tuple[str, int, int]  # (key, limit, window in seconds)


def _client(request) -> str:
    """A keyed hash of the client's address (behind nginx: X-Forwarded-For through
    TRUSTED_PROXIES): a reader of the table cannot test the 2^32 IPv4 addresses against it."""
    address = client_ip(request)
    return salted_hmac("meetings.throttle.client", address, algorithm="sha256").hexdigest()[:32]


def keys(request, poll_id: int | None) -> list[Key]:
    out = [(f"client:{_client(request)}", CLIENT_LIMIT, CLIENT_WINDOW)]
    if poll_id:
        out.append((f"poll:{int(poll_id)}", POLL_LIMIT, POLL_WINDOW))
    return out


# The check as one row (an aggregate always returns one): when the latest window of a key over
# its limit ends, or NULL. Placeholders follow JoinedRow's head: $1 is the code's hash; the keys
# and their limits come as two space-separated lists, as many as `keys()` gives (plain text:
# the client's adaptation of two Python lists as SQL arrays cost 20 % of the lookup's CPU).
HEAD_SQL = (
    "SELECT max(g.until) AS blocked_until FROM meetings_wrongcodes g "
    "JOIN unnest(string_to_array($3::text, ' '), string_to_array($4::text, ' ')::integer[]) "
    "AS k(key, lim) ON g.key = k.key "
    "WHERE g.until > $2 AND g.failures >= k.lim"
)


def head_params(checked: list[Key], now: dt.datetime) -> list:
    names = [k for k, _l, _w in checked]
    if any(" " in k or not k for k in names):
        raise ValueError(f"throttle keys are single words: {names!r}")
    return [now, " ".join(names), " ".join(str(int(limit)) for _k, limit, _w in checked)]


def wait_until(until: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds until `until` (0 if not blocked)."""
    if until is None or until <= now:
        return 0
    return max(1, math.ceil((until - now).total_seconds()))


def blocked_until(checked: list[Key], now: dt.datetime) -> dt.datetime | None:
    """The check on its own query (SQLite; PostgreSQL reads it with the lookup, HEAD_SQL)."""
    from meetings.models import WrongCodes

    until = None
    rows = WrongCodes.objects.filter(
        key__in=[k for k, _l, _w in checked], until__gt=now
    ).values_list("key", "failures", "until")
    limits = {k: limit for k, limit, _w in checked}
    for key, failures, end in rows:
        if failures >= limits[key] and (until is None or end > until):
            until = end
    return until


def record_failure(request, poll_id: int | None) -> None:
    """Count a wrong code against each key: a new window if the last one ended."""
    now = timezone.now()
    ops = connection.ops
    table = ops.quote_name("meetings_wrongcodes")
    key, failures, until = (ops.quote_name(c) for c in ("key", "failures", "until"))
    sql = (
        f"INSERT INTO {table} ({key}, {failures}, {until}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{failures} = CASE WHEN {table}.{until} > %s THEN {table}.{failures} + 1 ELSE 1 END, "
        f"{until} = CASE WHEN {table}.{until} > %s THEN {table}.{until} ELSE excluded.{until} END"
    )
    stamp = ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        # Keys in one order (client, then poll) in every transaction: no deadlock between them.
        for name, _limit, window in keys(request, poll_id):
            end = ops.adapt_datetimefield_value(now + dt.timedelta(seconds=window))
            cursor.execute(sql, [name, end, stamp, stamp])
    if random.random() < 1 / 64:  # noqa: S311 - housekeeping, not security
        forget_ended(now)


def forget_ended(now: dt.datetime) -> int:
    """Delete the rows whose window has ended (the table stays as small as the last attack), in
    its own statement after the count's transaction. On PostgreSQL it skips rows that a count
    holds at that moment, so it never waits for one nor deadlocks with it."""
    ops = connection.ops
    table, key, until = (ops.quote_name(n) for n in ("meetings_wrongcodes", "key", "until"))
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} "
                f"WHERE {until} <= %s FOR UPDATE SKIP LOCKED)",
                [stamp],
            )
        else:
            cursor.execute(f"DELETE FROM {table} WHERE {until} <= %s", [stamp])
        return cursor.rowcount
