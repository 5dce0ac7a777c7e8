"""The failed-login notice: after a login, the account sees the wrong passwords since the last."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailure

PASSWORD = "mat-khau-thu-nghiem"
NOTICE = "lần nhập sai mật khẩu vào tài khoản của bạn"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, ip="10.0.0.1", path=None):
    return client.post(
        path or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail(client, username="canbo", times=1, ip="14.161.5.7", path=None):
    for _ in range(times):
        assert _login(client, username, "sai-mat-khau", ip=ip, path=path).status_code == 200


def _page_after_login(client, username="canbo", ip="10.0.0.1") -> str:
    response = _login(client, username, PASSWORD, ip=ip)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def _account_page(client) -> str:
    return client.get(reverse("accounts:password_change")).content.decode()


def test_a_login_after_failures_shows_how_many_when_and_from_where(client, world):
    _fail(client, times=3, ip="14.161.5.7")
    _fail(client, " canbo", times=1, ip="10.1.2.3")  # as authentication reads it: canbo
    _fail(client, times=1, ip="14.161.5.9", path=reverse("admin:login"))
    page = _page_after_login(client)
    assert "Có 5 lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng nhập trước" in page
    today = timezone.localtime().strftime("%d/%m/%Y")
    assert re.search(rf"lần đầu lúc \d\d:\d\d {today}, lần cuối lúc \d\d:\d\d {today}", page)
    assert "Internet, mạng 14.161.5.0/24: 4 lần" in page
    assert "mạng nội bộ, mạng 10.1.2.0/24: 1 lần" in page
    assert "14.161.5.7" not in page  # the network, not the address
    assert "hãy đổi mật khẩu ngay" in page
    # The account page keeps showing it for this session; the message itself was one-time.
    assert "Có 5 lần nhập sai mật khẩu" in _account_page(client)
    assert NOTICE not in client.get(reverse("dashboard")).content.decode()


def test_one_failure_reads_as_one(client, world):
    _fail(client, times=1, ip="127.0.0.1")
    page = _page_after_login(client)
    assert "Có 1 lần nhập sai mật khẩu vào tài khoản của bạn kể từ lần đăng nhập trước (lúc" in page
    assert "chính máy chủ, mạng 127.0.0.0/24: 1 lần" in page


def test_the_next_login_shows_no_notice(client, world):
    _fail(client, times=2)
    assert "Có 2 lần" in _page_after_login(client)
    client.post(reverse("logout"))
    page = _page_after_login(client)
    assert NOTICE not in page
    assert NOTICE not in _account_page(client)
    assert not LoginFailure.objects.filter(user=world.office).exists()


def test_another_user_sees_nothing_and_leaves_the_count_alone(client, world):
    _fail(client, "canbo", times=3)
    page = _page_after_login(client, "canbo-khac")
    assert NOTICE not in page
    assert NOTICE not in _account_page(client)
    client.post(reverse("logout"))
    assert "Có 3 lần nhập sai mật khẩu" in _page_after_login(client, "canbo")


def test_attempts_refused_by_the_lock_are_not_counted_as_wrong_passwords(client, world):
    _fail(client, times=5, ip="14.161.5.7")
    assert _login(client, "canbo", "sai-mat-khau", ip="14.161.5.7").status_code == 429
    assert _login(client, "canbo", PASSWORD, ip="14.161.5.7").status_code == 429
    page = _page_after_login(client, ip="198.51.100.1")  # another client is not locked
    assert "Có 5 lần nhập sai mật khẩu" in page


def test_an_unknown_username_stores_nothing(client, world):
    _fail(client, "khong-ton-tai", times=2)
    assert LoginFailure.objects.count() == 0


def test_the_notice_is_in_english_for_english_readers(client, world):
    _fail(client, times=2, ip="14.161.5.7")
    client.cookies["django_language"] = "en"
    page = _page_after_login(client)
    assert "There were 2 failed password attempts on your account since your last login" in page
    assert "Internet, network 14.161.5.0/24: 2 attempts" in page
    assert "change your password now" in page
