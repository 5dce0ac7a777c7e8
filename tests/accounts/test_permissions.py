"""View × role matrix for account management: only office staff (and the superuser) manage
accounts; office staff of another province do not see ours (404); the invitation pages need no
login (the link is the credential)."""

import pytest
from django.urls import reverse

from accounts import services
from blocs.models import RoleAssignment
from tests.factories import UserFactory

PAGE = {
    "superuser": 200,
    "office": 200,
    "other_office": 200,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}
ACCOUNT_GET = PAGE | {"other_office": 404}
ACCOUNT_POST = {k: (302 if v == 200 else v) for k, v in ACCOUNT_GET.items()}


@pytest.fixture
def target(world):
    user = UserFactory(username="dich", email="dich@example.org")
    RoleAssignment.objects.create(user=user, role="delegate", unit=world.units[4])
    RoleAssignment.objects.create(user=user, role="delegate", unit=world.units[5])
    return user


@pytest.mark.parametrize("who", sorted(PAGE))
def test_account_pages_by_role(client, world, who):
    client.force_login(world.users()[who])
    for name in ("accounts:user_list", "accounts:user_create", "accounts:account_import"):
        assert client.get(reverse(name)).status_code == PAGE[who], name


@pytest.mark.parametrize("who", sorted(ACCOUNT_GET))
def test_one_account_by_role(client, world, target, who):
    client.force_login(world.users()[who])
    for name in ("accounts:user_detail", "accounts:user_edit"):
        assert client.get(reverse(name, args=[target.pk])).status_code == ACCOUNT_GET[who], name


@pytest.mark.parametrize("who", sorted(ACCOUNT_POST))
def test_account_changes_by_role(client, world, target, who):
    client.force_login(world.users()[who])
    role = target.role_assignments.first()
    posts = {
        "accounts:user_invite": (reverse("accounts:user_invite", args=[target.pk]), {}),
        "accounts:role_grant": (
            reverse("accounts:role_grant", args=[target.pk]),
            {"role": "secretary", "bloc": world.bloc.pk},
        ),
        "accounts:role_revoke": (reverse("accounts:role_revoke", args=[target.pk, role.pk]), {}),
        "accounts:user_deactivate": (reverse("accounts:user_deactivate", args=[target.pk]), {}),
        "accounts:user_activate": (reverse("accounts:user_activate", args=[target.pk]), {}),
    }
    for name, (url, data) in posts.items():
        assert client.post(url, data).status_code == ACCOUNT_POST[who], name


def test_invitation_pages_need_no_login_but_a_valid_link(client, world, target):
    invitation = services.invitation_create(actor=world.office, user=target)
    good = client.get(reverse("accounts:invitation", args=[invitation.pk, invitation.token]))
    assert good.status_code == 302
    assert client.get(good["Location"]).status_code == 200
    fresh = client.__class__()
    assert (
        fresh.get(reverse("accounts:invitation_password", args=[invitation.pk])).status_code == 404
    )


@pytest.mark.parametrize("who", sorted(PAGE))
def test_own_password_pages_by_role(client, world, who):
    """Every signed-in user changes only their own password; no page names another account."""
    client.force_login(world.users()[who])
    for name in ("accounts:password_change", "accounts:password_change_done"):
        assert client.get(reverse(name)).status_code == 200, name


def test_password_reset_pages_need_no_login_and_a_forged_link_is_refused(client, world):
    for name in ("accounts:password_reset", "accounts:password_reset_done"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("accounts:password_reset_complete")).status_code == 200
    forged = reverse("accounts:password_reset_confirm", args=["MQ", "abc-123"])
    page = client.get(forged)
    assert page.status_code == 200
    assert "Liên kết này không dùng được" in page.text
    assert "new_password1" not in page.text
    assert client.get(reverse("accounts:password_change")).status_code == 302
