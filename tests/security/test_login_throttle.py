"""Login throttling: a username+IP is locked after LOGIN_MAX_FAILURES failures, for a while."""

import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_sixth_attempt_is_refused_with_429_even_with_the_right_password(client, world, settings):
    assert settings.LOGIN_MAX_FAILURES == 5
    for _ in range(5):
        response = _login(client, "canbo", "sai-mat-khau")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_ip(client, world):
    for _ in range(5):
        _login(client, "canbo", "sai-mat-khau")
    assert _login(client, "canbo", PASSWORD, ip="10.0.0.1").status_code == 429
    assert _login(client, "CANBO", PASSWORD, ip="10.0.0.1").status_code == 429
    assert _login(client, "canbo", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, "thuky", PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lock_expires_after_the_lockout_period(client, world, settings, monkeypatch):
    for _ in range(5):
        _login(client, "canbo", "sai-mat-khau")
    assert _login(client, "canbo", PASSWORD).status_code == 429
    real_time = locmem.time.time

    class Later:
        @staticmethod
        def time():
            return real_time() + settings.LOGIN_LOCKOUT_SECONDS + 1

    monkeypatch.setattr(locmem, "time", Later)
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.office.pk)


def test_a_successful_login_resets_the_failure_count(client, world):
    for _ in range(4):
        _login(client, "canbo", "sai-mat-khau")
    assert _login(client, "canbo", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "canbo", "sai-mat-khau")
    assert _login(client, "canbo", PASSWORD).status_code == 302


def test_a_huge_username_is_handled_without_error(client, world):
    response = _login(client, "a" * 100_000, "x")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
