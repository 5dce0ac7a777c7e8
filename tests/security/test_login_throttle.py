"""Login protection (khoithidua.lib.loginguard): attacks on the throttle, each one tried."""

import time

import pytest
from django.core.cache import cache
from django.core.cache.backends import base, locmem
from django.urls import reverse

from khoithidua.lib import loginguard

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, ip="10.0.0.1", path=None, **extra):
    return client.post(
        path or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def _fail(client, username="canbo", times=5, **kwargs):
    for _ in range(times):
        response = _login(client, username, "sai-mat-khau", **kwargs)
        assert response.status_code == 200, response.status_code


@pytest.fixture
def clock(monkeypatch):
    """Moves the time seen by the throttle and by the cache's expiry together."""
    offset = {"s": 0.0}
    real = time.time

    class Clock:
        @staticmethod
        def time():
            return real() + offset["s"]

    monkeypatch.setattr(locmem, "time", Clock)
    monkeypatch.setattr(base, "time", Clock)
    monkeypatch.setattr(loginguard, "time", Clock)

    def advance(seconds):
        offset["s"] += seconds

    return advance


def test_sixth_attempt_is_refused_with_429_even_with_the_right_password(client, world, settings):
    assert settings.LOGIN_MAX_FAILURES == 5
    _fail(client)
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "variant", ["canbo ", " canbo", "\tcanbo", "canbo\n", "ｃａｎｂｏ", "CANBO", "Canbo"]
)
def test_spelling_the_username_another_way_shares_the_same_count(client, world, variant):
    _fail(client, "canbo", times=4)
    assert _login(client, variant, "sai-mat-khau").status_code == 200
    assert _login(client, "canbo", PASSWORD).status_code == 429
    assert _login(client, variant, PASSWORD).status_code == 429


def test_a_variant_spelling_is_what_authentication_reads(client, world):
    """The normalisation is the login form's: ' ｃａｎｂｏ ' logs in as canbo."""
    response = _login(client, " ｃａｎｂｏ\t", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.office.pk)


def test_a_locked_account_still_logs_in_from_a_client_without_failures(client, world):
    _fail(client, ip="10.0.0.1")
    assert _login(client, "canbo", PASSWORD, ip="10.0.0.1").status_code == 429
    assert _login(client, "canbo", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, "thuky", PASSWORD, ip="10.0.0.1").status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client, world, settings):
    settings.TRUSTED_PROXIES = 0
    for n in range(5):
        _login(client, "canbo", "sai", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = _login(client, "canbo", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(client, world, settings):
    settings.TRUSTED_PROXIES = 1
    # All requests come from the proxy (127.0.0.1); the client prepends forged addresses.
    for n in range(5):
        response = _login(
            client,
            "canbo",
            "sai",
            ip="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        )
        assert response.status_code == 200
    locked = _login(
        client, "canbo", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
    )
    assert locked.status_code == 429
    # Another real client behind the same proxy is not locked out by the attacker.
    other = _login(client, "canbo", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302


def test_password_spraying_over_many_accounts_locks_the_client(client, world, settings):
    settings.LOGIN_CLIENT_MAX_FAILURES = 8
    for n in range(8):
        assert _login(client, f"nguoi-{n}", PASSWORD).status_code == 200
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    assert _login(client, "canbo", PASSWORD, ip="10.0.0.9").status_code == 302


def test_admin_login_is_throttled_and_shares_the_count(client, world):
    admin_login = reverse("admin:login")
    _fail(client, "root", times=3, path=admin_login)
    _fail(client, "root", times=2)
    response = _login(client, "root", PASSWORD, path=admin_login)
    assert response.status_code == 429
    assert "Vui lòng thử lại sau 15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lasts_what_the_message_says_then_backs_off(client, world, clock):
    _fail(client)
    first = _login(client, "canbo", PASSWORD)
    assert "sau 15 phút" in first.content.decode()
    clock(14 * 60 + 50)
    assert _login(client, "canbo", PASSWORD).status_code == 429
    clock(11)
    assert _login(client, "canbo", "sai-mat-khau").status_code == 200  # free again
    _fail(client, times=4)
    second = _login(client, "canbo", PASSWORD)
    assert second.status_code == 429
    assert "sau 30 phút" in second.content.decode()  # backoff: twice as long
    clock(29 * 60 + 50)
    assert _login(client, "canbo", PASSWORD).status_code == 429
    clock(11)
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.office.pk)


def test_a_successful_login_resets_the_failure_count(client, world):
    _fail(client, times=4)
    assert _login(client, "canbo", PASSWORD).status_code == 302
    client.logout()
    _fail(client, times=4)
    assert _login(client, "canbo", PASSWORD).status_code == 302


def test_a_huge_username_is_handled_without_error(client, world):
    response = _login(client, "a" * 100_000, "x")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
