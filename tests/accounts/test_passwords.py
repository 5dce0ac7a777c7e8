"""A signed-in user changes their password; a user who forgot it gets a one-time link by email
(Django's SMTP backend, a real aiosmtpd server on loopback) and sets a new one."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from blocs.models import AuditEvent
from tests.factories import UserFactory

User = get_user_model()
LINK = re.compile(r"https?://\S+/password/reset/\S+/\S+/")
OLD = "mat-khau-thu-nghiem"
NEW = "Hoa-sen-no-2026!"


@pytest.fixture(autouse=True)
def _fresh_reset_counts():
    """The reset limits count per client address, and every test client is 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _ask_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_a_forgotten_password_is_reset_through_a_one_time_link_sent_by_smtp(
    client, world, smtp, django_capture_on_commit_callbacks
):
    world.delegate.email = "daibieu@toaan.gov.vn"
    world.delegate.first_name = "Trần Thị Bình"
    world.delegate.save()
    login = client.get(reverse("login"))
    assert reverse("accounts:password_reset") in login.text
    assert "Quên mật khẩu?" in login.text

    response = _ask_reset(client, "DaiBieu@ToaAn.gov.vn", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert "Hãy xem hộp thư" in client.get(response.url).text

    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "daibieu@toaan.gov.vn"
    assert mail["Subject"] == "Đặt lại mật khẩu khoithidua"
    body = mail.get_content()
    assert "Kính gửi Trần Thị Bình" in body
    assert "Tên đăng nhập: daibieu" in body
    url = LINK.search(body).group(0)
    path = url.split("testserver", 1)[1]

    # The link drops its token from the URL (into the session), then takes the new password.
    form = client.get(path, follow=True)
    assert "Đặt mật khẩu mới" in form.text
    assert "new_password1" in form.text
    set_url = form.redirect_chain[-1][0]
    mismatch = client.post(set_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert "Hai trường mật khẩu không giống nhau." in mismatch.text
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert "Đã đặt lại mật khẩu" in client.get(done.url).text

    world.delegate.refresh_from_db()
    assert world.delegate.check_password(NEW)
    assert AuditEvent.objects.filter(
        action="account.password_reset", object_id=str(world.delegate.pk)
    ).exists()
    # Used once: the same link is now refused, and the password stays.
    client.logout()
    again = client.get(path, follow=True)
    assert "Liên kết này không dùng được" in again.text
    assert "new_password1" not in again.text
    assert client.login(username="daibieu", password=NEW)


def test_an_unknown_or_locked_address_gets_the_same_answer_and_no_mail(
    client, world, smtp, django_capture_on_commit_callbacks
):
    UserFactory(username="bikhoa", email="bikhoa@toaan.gov.vn", is_active=False)
    unknown = _ask_reset(client, "khongco@toaan.gov.vn", django_capture_on_commit_callbacks)
    locked = _ask_reset(client, "bikhoa@toaan.gov.vn", django_capture_on_commit_callbacks)
    assert unknown.status_code == locked.status_code == 302
    assert unknown.url == locked.url == reverse("accounts:password_reset_done")
    assert smtp.wait_for(1, timeout=1.5) == []


def test_a_bad_address_is_refused_in_vietnamese(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "khong-phai-thu"})
    assert response.status_code == 200
    assert "Địa chỉ email không hợp lệ; hãy nhập dạng ten@coquan.gov.vn." in response.text


def test_a_signed_in_user_changes_the_password_with_the_old_one_and_it_is_audited(client, world):
    client.force_login(world.delegate)
    page = client.get(reverse("dashboard"))
    assert reverse("accounts:password_change") in page.text
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "sai", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200
    assert "Mật khẩu cũ không chính xác" in wrong.text
    world.delegate.refresh_from_db()
    assert world.delegate.check_password(OLD)

    ok = client.post(
        reverse("accounts:password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert ok.status_code == 302
    assert "Đã đổi mật khẩu" in client.get(ok.url).text  # still signed in
    world.delegate.refresh_from_db()
    assert world.delegate.check_password(NEW)
    event = AuditEvent.objects.get(action="account.password_change")
    assert event.actor == world.delegate


def test_changing_the_password_needs_a_signed_in_user(client, world):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_one_address_gets_at_most_three_reset_mails_an_hour_and_the_answer_stays_the_same(
    client, world, smtp, django_capture_on_commit_callbacks
):
    world.delegate.email = "daibieu@toaan.gov.vn"
    world.delegate.save()
    answers = [
        _ask_reset(client, "daibieu@toaan.gov.vn", django_capture_on_commit_callbacks)
        for _ in range(5)
    ]
    assert {(a.status_code, a.url) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    smtp.wait_for(3)
    assert len(smtp.wait_for(4, timeout=1.5)) == 3


def test_one_client_is_stopped_after_ten_requests_an_hour_in_vietnamese(client, world):
    for n in range(10):
        response = client.post(reverse("accounts:password_reset"), {"email": f"x{n}@a.vn"})
        assert response.status_code == 302
    response = client.post(reverse("accounts:password_reset"), {"email": "x99@a.vn"})
    assert response.status_code == 429
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in response.text
