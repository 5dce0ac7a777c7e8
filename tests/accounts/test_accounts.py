"""Office staff manage secretary and delegate accounts: create, invite by email (a real SMTP
server), set the password through the one-time link, roles, lock, audit, import from the file."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from blocs.models import AuditEvent, RoleAssignment
from tests.factories import UserFactory, grant
from tests.smtp import use_smtp

User = get_user_model()
LINK = re.compile(r"https?://\S+/invitation/\d+/\w+/")


def _create(client, world, capture, **extra):
    client.force_login(world.office)
    data = {
        "full_name": "Nguyễn Văn An",
        "email": "NVAn@ToaAn.gov.vn",
        "username": "",
        "role": "delegate",
        "unit": world.units[2].pk,
        "bloc": "",
        "invite": "on",
    }
    data.update(extra)
    with capture(execute=True):
        return client.post(reverse("accounts:user_create"), data)


def test_office_creates_a_delegate_who_gets_an_invitation_and_sets_a_password_once(
    client, world, smtp, django_capture_on_commit_callbacks
):
    response = _create(client, world, django_capture_on_commit_callbacks)
    user = User.objects.get(email="nvan@toaan.gov.vn")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.username == "nvan"
    assert not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user, role="delegate", unit=world.units[2]).exists()

    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "nvan@toaan.gov.vn"
    assert mail["Subject"] == "Thư mời sử dụng phần mềm quản lý khối thi đua"
    body = mail.get_content()
    assert "Kính gửi Nguyễn Văn An," in body
    assert "Tên đăng nhập: nvan" in body
    assert f"Đại biểu {world.units[2].name}" in body
    link = LINK.search(body).group(0)
    path = link.split("//", 1)[1].split("/", 1)[1]
    assert Invitation.objects.get(user=user).sent_at is not None

    visitor = client.__class__()
    page = visitor.get("/" + path)
    # The token leaves the address bar: the password form lives at a URL without it.
    assert page.status_code == 302
    assert page["Location"] == reverse(
        "accounts:invitation_password", args=[user.invitations.get().pk]
    )
    form = visitor.get(page["Location"])
    assert "Đặt mật khẩu" in form.text and "nvan" in form.text
    weak = visitor.post(page["Location"], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 422
    ok = visitor.post(
        page["Location"],
        {"new_password1": "Hoi-nghi-2026-an-toan", "new_password2": "Hoi-nghi-2026-an-toan"},
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("dashboard")
    user.refresh_from_db()
    assert user.check_password("Hoi-nghi-2026-an-toan")
    assert visitor.get(reverse("dashboard")).status_code == 200  # logged in

    again = client.__class__().get("/" + path)
    assert again.status_code == 404
    assert "Liên kết này đã được dùng" in again.text
    actions = list(
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["account.create", "account.invite", "account.invitation_accept"]


def test_a_new_invitation_replaces_the_old_link_and_an_expired_link_is_refused(
    client, world, smtp, django_capture_on_commit_callbacks
):
    _create(client, world, django_capture_on_commit_callbacks)
    user = User.objects.get(email="nvan@toaan.gov.vn")
    first = user.invitations.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_invite", args=[user.pk]))
    smtp.wait_for(2)
    second = user.invitations.exclude(pk=first.pk).get()
    old = client.__class__().get(reverse("accounts:invitation", args=[first.pk, first.token]))
    assert old.status_code == 404 and "thư mời mới hơn" in old.text
    Invitation.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    late = client.__class__().get(reverse("accounts:invitation", args=[second.pk, second.token]))
    assert late.status_code == 404 and "hết hạn" in late.text
    forged = client.__class__().get(reverse("accounts:invitation", args=[second.pk, "0" * 40]))
    assert forged.status_code == 404 and "Liên kết không đúng" in forged.text


def test_the_password_page_refuses_a_visitor_who_never_opened_the_link(client, world):
    user = UserFactory(username="moi", email="moi@example.org")
    grant(user, "delegate", world.units[3])
    invitation = services.invitation_create(actor=world.office, user=user)
    response = client.post(
        reverse("accounts:invitation_password", args=[invitation.pk]),
        {"new_password1": "Hoi-nghi-2026-an-toan", "new_password2": "Hoi-nghi-2026-an-toan"},
    )
    assert response.status_code == 404
    user.refresh_from_db()
    assert not user.check_password("Hoi-nghi-2026-an-toan")


def test_a_mail_server_that_is_down_is_shown_on_the_account_and_nothing_is_lost(
    client, world, settings, dead_smtp_port, django_capture_on_commit_callbacks
):
    use_smtp(settings, dead_smtp_port, timeout=2)
    _create(client, world, django_capture_on_commit_callbacks)
    user = User.objects.get(email="nvan@toaan.gov.vn")
    invitation = user.invitations.get()
    assert invitation.sent_at is None and "ConnectionRefusedError" in invitation.send_error
    page = client.get(reverse("accounts:user_detail", args=[user.pk]))
    assert "Gửi lỗi" in page.text and "Gửi lại thư mời" in page.text


def test_secretary_account_needs_a_bloc_and_duplicate_emails_are_refused_in_vietnamese(
    client, world, django_capture_on_commit_callbacks
):
    response = _create(
        client, world, django_capture_on_commit_callbacks, role="secretary", unit="", bloc=""
    )
    assert response.status_code == 422
    assert "Hãy chọn khối mà thư ký phụ trách." in response.text
    UserFactory(username="co-san", email="nvan@toaan.gov.vn")
    response = _create(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 422
    assert "Email nvan@toaan.gov.vn đã thuộc một tài khoản khác." in response.text
    assert User.objects.filter(email__iexact="nvan@toaan.gov.vn").count() == 1


def test_the_database_refuses_two_accounts_with_the_same_email_in_other_case(world):
    UserFactory(username="a1", email="Trung@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="a2", email="trung@example.org")
    UserFactory(username="a3", email="")
    UserFactory(username="a4", email="")  # empty emails do not clash


def test_office_cannot_give_a_role_in_another_province(client, world):
    foreign_unit = world.other_bloc_year.memberships.first().unit
    client.force_login(world.office)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "full_name": "Trần B",
            "email": "tranb@example.org",
            "role": "delegate",
            "unit": foreign_unit.pk,
        },
    )
    assert response.status_code == 422
    assert not User.objects.filter(email="tranb@example.org").exists()


@pytest.mark.parametrize("who", ["secretary", "delegate", "nobody", "outsider"])
def test_only_office_staff_reach_account_management(client, world, who):
    client.force_login(world.users()[who])
    for name in ("accounts:user_list", "accounts:user_create", "accounts:account_import"):
        assert client.get(reverse(name)).status_code == 403


def test_other_province_office_sees_no_account_of_ours_and_cannot_lock_it(client, world):
    client.force_login(world.other_office)
    target = world.delegate
    assert client.get(reverse("accounts:user_detail", args=[target.pk])).status_code == 404
    assert client.post(reverse("accounts:user_deactivate", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.is_active


def test_office_may_not_lock_a_delegate_who_also_serves_another_province(client, world):
    foreign_unit = world.other_bloc_year.memberships.first().unit
    grant(world.delegate, "delegate", foreign_unit)
    client.force_login(world.office)
    assert client.get(reverse("accounts:user_detail", args=[world.delegate.pk])).status_code == 200
    response = client.post(reverse("accounts:user_deactivate", args=[world.delegate.pk]))
    assert response.status_code == 403
    world.delegate.refresh_from_db()
    assert world.delegate.is_active


def test_locking_an_account_ends_its_session_and_is_audited(client, world):
    delegate_client = client.__class__()
    delegate_client.force_login(world.delegate)
    assert delegate_client.get(reverse("dashboard")).status_code == 200
    client.force_login(world.office)
    response = client.post(reverse("accounts:user_deactivate", args=[world.delegate.pk]))
    assert response.status_code == 302
    after = delegate_client.get(reverse("dashboard"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    assert not client.__class__().login(username="daibieu", password="mat-khau-thu-nghiem")
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.actor == world.office and "daibieu" in event.summary
    client.post(reverse("accounts:user_activate", args=[world.delegate.pk]))
    assert client.__class__().login(username="daibieu", password="mat-khau-thu-nghiem")


def test_roles_are_added_and_removed_but_never_the_last_one(client, world):
    client.force_login(world.office)
    url = reverse("accounts:role_grant", args=[world.delegate.pk])
    client.post(url, {"role": "secretary", "bloc": world.bloc.pk})
    assert RoleAssignment.objects.filter(user=world.delegate, role="secretary").exists()
    duplicate = client.post(url, {"role": "secretary", "bloc": world.bloc.pk}, follow=True)
    assert "Tài khoản đã có vai trò này." in duplicate.text
    role = RoleAssignment.objects.get(user=world.delegate, role="secretary")
    client.post(reverse("accounts:role_revoke", args=[world.delegate.pk, role.pk]))
    last = RoleAssignment.objects.get(user=world.delegate)
    page = client.post(
        reverse("accounts:role_revoke", args=[world.delegate.pk, last.pk]), follow=True
    )
    assert "vai trò cuối cùng" in page.text
    assert RoleAssignment.objects.filter(user=world.delegate).count() == 1
    assert list(
        AuditEvent.objects.filter(object_id=str(world.delegate.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["account.role_grant", "account.role_revoke"]


def test_office_accounts_and_superusers_cannot_be_changed_here(client, world):
    colleague = UserFactory(username="canbo2")
    grant(colleague, "office", world.organizer)
    grant(colleague, "secretary", world.bloc)
    client.force_login(world.office)
    assert client.post(reverse("accounts:user_deactivate", args=[colleague.pk])).status_code == 403


def test_the_account_list_keeps_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.office)
    for i, unit in enumerate(world.units):
        user = UserFactory(username=f"db{i}", email=f"db{i}@example.org")
        grant(user, "delegate", unit)
        services.invitation_create(actor=world.office, user=user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert response.text.count('href="/accounts/') >= len(world.units) + 1
    assert "Đang chờ gửi" in response.text or "Đã gửi, chờ kích hoạt" in response.text
    other = client.get(reverse("accounts:user_list"), {"q": world.units[3].name})
    assert "db3@example.org" in other.text and "db4@example.org" not in other.text
