"""Django's RedisCache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient.get_client() builds a new `redis.Redis` for every cache operation.
Each construction copies redis-py's ~170 response callbacks into a new case-insensitive dict
(and sets up its event and observability hooks): about 0.1 ms of CPU per operation, more than
the network round trip itself. On the vote path (the ballot-code throttle read one counter per
ballot, before it moved to PostgreSQL) that was a measurable share of the CPU per ballot
(issue 15); the login throttle and the submit-once tokens still use it.

A `redis.Redis` client is thread-safe for single commands (it takes a connection from its pool
for each one), and holds no state of its own besides the pool, so one client per pool is
equivalent. The pool is still Django's (one per server, per cache instance), and the commands
sent to Redis are exactly the same: the throttles stay atomic (SET NX EX, INCR) and shared.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._client(connection_pool=pool)
            self._clients[id(pool)] = client
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
