"""Issue 15: the vote path's per-request helpers do less work, and exactly the same checks.

- khoithidua.lib.badbytes checks a urlencoded body in one pass: it must refuse exactly what the
  name-by-name check refused (NUL bytes, invalid UTF-8, escaped or not).
- khoithidua.lib.rediscache reuses one redis-py client per pool: the counters it keeps stay in
  Redis (shared by every process) and atomic.
"""

from __future__ import annotations

import os
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khoithidua.lib.badbytes import _bad_urlencoded, _bad_urlencoded_by_part

PIECES = [
    b"a",
    b"=",
    b"&",
    b"%",
    b"%00",
    b"%0",
    b"0",
    b"%C3%A1",
    b"%C3",
    b"%A1",
    b"\xc3\xa1",
    b"\xc3",
    b"\x00",
    b"+",
    b"%zz",
    b"%E1%BA%BF",
    b"\xff",
    b"%FF",
    b"%2",
    b"%26",
    b"%3D",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_one_pass_check_refuses_exactly_what_the_part_check_refuses(parts):
    raw = b"".join(parts)
    assert _bad_urlencoded(raw) == _bad_urlencoded_by_part(raw)


@pytest.mark.parametrize(
    "raw, bad",
    [
        (b"code=ABCDEFGH&marks=1&marks=2&step=confirm", False),
        (b"name=%C4%90%C6%A1n+v%E1%BB%8B", False),  # "Đơn vị"
        (b"name=a%00b", True),
        (b"name=a\x00b", True),
        (b"name=%C4&x=%90", True),  # a sequence cut by "&" is invalid in each part
        (b"name=%FF", True),
        (b"na%00me=x", True),
    ],
)
def test_bad_bytes_examples(raw, bad):
    assert _bad_urlencoded(raw) is bad


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return redis


def test_reused_redis_client_keeps_counters_in_redis_and_atomic():
    redis = _redis_or_skip()
    from khoithidua.lib.rediscache import ReusingRedisCache

    prefix = "test-rc-" + secrets.token_hex(4)
    params = {"KEY_PREFIX": prefix, "TIMEOUT": 60}
    one = ReusingRedisCache("redis://127.0.0.1:6379/0", params)
    other = ReusingRedisCache("redis://127.0.0.1:6379/0", params)  # another process's cache
    client = one._cache.get_client(write=True)
    assert one._cache.get_client() is client  # one client per pool, not one per call
    assert one.add("n", 1, 30) is True
    assert other.add("n", 1, 30) is False  # SET NX: the counter is shared, not per process
    assert other.incr("n") == 2
    assert one.incr("n") == 3
    assert one.get("n") == 3
    raw = redis.Redis(host="127.0.0.1", port=6379, db=0)
    key = one.make_key("n")
    assert int(raw.get(key)) == 3 and 0 < raw.ttl(key) <= 30
    one.delete("n")
    assert other.get("n") is None


def test_reused_redis_client_follows_a_fork():
    _redis_or_skip()
    from khoithidua.lib.rediscache import ReusingRedisCache

    cache = ReusingRedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": "test-rc-fork"})
    cache.set("k", "parent", 30)
    pid = os.fork()
    if pid == 0:  # gunicorn forks its workers after the app is loaded
        try:
            ok = cache.get("k") == "parent" and cache.add("child", 1, 30)
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("child") == 1
    cache.delete_many(["k", "child"])
