"""Account operations for office staff: create, grant and revoke roles, deactivate, invite.

Every change is written to the audit log (blocs.AuditEvent). Invitation mail leaves through the
background worker (accounts.tasks.invitation_send, queued in the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import Bloc, RoleAssignment, Unit
from blocs.services import audit

from .models import Invitation

User = get_user_model()

USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,150}$")


def invitation_lifetime() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "INVITATION_DAYS", 7))


def full_name_of(user) -> str:
    return (user.get_full_name() or user.username).strip()


def role_label(assignment: RoleAssignment) -> str:
    if assignment.role == RoleAssignment.Role.SECRETARY:
        return _("Thư ký %(bloc)s") % {"bloc": assignment.bloc.name}
    if assignment.role == RoleAssignment.Role.DELEGATE:
        return _("Đại biểu %(unit)s") % {"unit": assignment.unit.name}
    return str(assignment.get_role_display())


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    qs = User.objects.annotate(e=Lower("email")).filter(e=email.strip().lower())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def suggest_username(email: str) -> str:
    """A free username from the email's local part: 'nguyen.an', then 'nguyen.an-2' ..."""
    local = email.split("@", 1)[0]
    local = unicodedata.normalize("NFD", local.replace("đ", "d").replace("Đ", "D"))
    local = "".join(c for c in local if unicodedata.category(c) != "Mn").lower()
    base = re.sub(r"[^a-z0-9._-]+", "", local)[:140] or "taikhoan"
    if len(base) < 3:
        base = f"{base}.tk"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _scope(role: str, *, bloc: Bloc | None, unit: Unit | None) -> dict:
    if role == RoleAssignment.Role.SECRETARY:
        if bloc is None:
            raise ValidationError({"bloc": _("Hãy chọn khối mà thư ký phụ trách.")})
        return {"bloc": bloc}
    if role == RoleAssignment.Role.DELEGATE:
        if unit is None:
            raise ValidationError({"unit": _("Hãy chọn đơn vị của đại biểu.")})
        return {"unit": unit}
    raise ValidationError({"role": _("Chỉ tạo được tài khoản thư ký khối hoặc đại biểu đơn vị.")})


@transaction.atomic
def account_create(
    *,
    actor,
    full_name: str,
    email: str,
    username: str = "",
    role: str,
    bloc: Bloc | None = None,
    unit: Unit | None = None,
    invite: bool = True,
    base_url: str = "",
) -> User:
    """A new secretary or delegate account without a usable password, and its invitation."""
    full_name = " ".join(full_name.split())
    email = email.strip().lower()
    username = (username or "").strip().lower() or suggest_username(email)
    errors = {}
    if not full_name:
        errors["full_name"] = _("Hãy nhập họ và tên.")
    if not email:
        errors["email"] = _("Hãy nhập địa chỉ email để gửi thư mời.")
    elif email_taken(email):
        errors["email"] = _("Email %(email)s đã thuộc một tài khoản khác.") % {"email": email}
    if not USERNAME_RE.match(username):
        errors["username"] = _(
            "Tên đăng nhập gồm 3–150 ký tự: chữ thường không dấu, số, dấu chấm, - hoặc _."
        )
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("Tên đăng nhập «%(u)s» đã có người dùng.") % {"u": username}
    if errors:
        raise ValidationError(errors)
    scope = _scope(role, bloc=bloc, unit=unit)
    try:
        with transaction.atomic():
            user = User(username=username, email=email, first_name=full_name[:150])
            user.set_unusable_password()
            user.save()
    except IntegrityError:  # a concurrent request took the username or email
        raise ValidationError(
            _("Tên đăng nhập hoặc email vừa được dùng cho tài khoản khác; hãy thử lại.")
        ) from None
    assignment = RoleAssignment.objects.create(user=user, role=role, **scope)
    audit(
        actor=actor,
        action="account.create",
        obj=user,
        summary=_("Tạo tài khoản %(u)s (%(name)s): %(role)s")
        % {"u": username, "name": full_name, "role": role_label(assignment)},
        data={"role": role, "bloc": getattr(bloc, "pk", None), "unit": getattr(unit, "pk", None)},
    )
    if invite:
        invitation_create(actor=actor, user=user, base_url=base_url)
    return user


@transaction.atomic
def account_update(*, actor, user, full_name: str, email: str) -> User:
    full_name = " ".join(full_name.split())
    email = email.strip().lower()
    errors = {}
    if not full_name:
        errors["full_name"] = _("Hãy nhập họ và tên.")
    if not email:
        errors["email"] = _("Hãy nhập địa chỉ email để gửi thư mời.")
    elif email_taken(email, exclude_pk=user.pk):
        errors["email"] = _("Email %(email)s đã thuộc một tài khoản khác.") % {"email": email}
    if errors:
        raise ValidationError(errors)
    before = {"name": user.first_name, "email": user.email}
    user = User.objects.select_for_update().get(pk=user.pk)
    user.first_name, user.last_name, user.email = full_name[:150], "", email
    user.save(update_fields=["first_name", "last_name", "email"])
    audit(
        actor=actor,
        action="account.update",
        obj=user,
        summary=_("Sửa tài khoản %(u)s: %(name)s, %(email)s")
        % {"u": user.username, "name": full_name, "email": email},
        data={"before": before},
    )
    return user


@transaction.atomic
def account_role_grant(
    *, actor, user, role: str, bloc: Bloc | None = None, unit: Unit | None = None
) -> RoleAssignment:
    scope = _scope(role, bloc=bloc, unit=unit)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
    if not created:
        raise ValidationError(_("Tài khoản đã có vai trò này."))
    audit(
        actor=actor,
        action="account.role_grant",
        obj=user,
        summary=_("Thêm vai trò cho %(u)s: %(role)s")
        % {"u": user.username, "role": role_label(assignment)},
        data={"role": role, "bloc": getattr(bloc, "pk", None), "unit": getattr(unit, "pk", None)},
    )
    return assignment


@transaction.atomic
def account_role_revoke(*, actor, assignment: RoleAssignment) -> None:
    user = assignment.user
    if user.role_assignments.count() <= 1:
        raise ValidationError(
            _("Đây là vai trò cuối cùng của tài khoản; hãy khoá tài khoản thay vì bỏ vai trò.")
        )
    label = role_label(assignment)
    assignment.delete()
    audit(
        actor=actor,
        action="account.role_revoke",
        obj=user,
        summary=_("Bỏ vai trò của %(u)s: %(role)s") % {"u": user.username, "role": label},
    )


@transaction.atomic
def account_deactivate(*, actor, user) -> User:
    """Lock the account: it cannot log in, its sessions end, its open invitation is revoked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("Tài khoản đã bị khoá."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit(
        actor=actor,
        action="account.deactivate",
        obj=user,
        summary=_("Khoá tài khoản %(u)s") % {"u": user.username},
    )
    return user


@transaction.atomic
def account_activate(*, actor, user) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(_("Tài khoản đang hoạt động."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="account.activate",
        obj=user,
        summary=_("Mở khoá tài khoản %(u)s") % {"u": user.username},
    )
    return user


@transaction.atomic
def invitation_create(*, actor, user, base_url: str = "") -> Invitation:
    """A new one-time link for `user` (the previous open one stops working), mailed by the worker."""
    if not user.is_active:
        raise ValidationError(_("Tài khoản đang bị khoá; hãy mở khoá trước khi gửi thư mời."))
    if not user.email:
        raise ValidationError(_("Tài khoản chưa có email; hãy nhập email trước khi gửi thư mời."))
    now = timezone.now()
    Invitation.objects.select_for_update().filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=now + invitation_lifetime(),
    )
    audit(
        actor=actor,
        action="account.invite",
        obj=user,
        summary=_("Gửi thư mời kích hoạt tới %(email)s") % {"email": user.email},
        data={"invitation": invitation.pk},
    )
    from .tasks import invitation_send

    # The queue is a table of the same database: the mail job commits (or rolls back) with
    # the invitation. (The test settings' immediate backend sends at once.)
    invitation_send.enqueue(invitation.pk, base_url or getattr(settings, "SITE_URL", ""))
    return invitation


class InvitationInvalid(Exception):
    """The link is unknown, used, replaced, expired, or its account is locked."""


def invitation_check(pk, token: str) -> Invitation:
    try:
        invitation = Invitation.objects.select_related("user").get(pk=int(pk))
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise InvitationInvalid(_("Liên kết không đúng.")) from None
    if not invitation.token_matches(token):
        raise InvitationInvalid(_("Liên kết không đúng."))
    if invitation.used_at:
        raise InvitationInvalid(_("Liên kết này đã được dùng. Hãy đăng nhập bằng mật khẩu đã đặt."))
    if invitation.revoked_at:
        raise InvitationInvalid(
            _("Liên kết này đã được thay bằng thư mời mới hơn; hãy dùng thư mời mới nhất.")
        )
    if timezone.now() >= invitation.expires_at:
        raise InvitationInvalid(
            _("Liên kết đã hết hạn; hãy đề nghị cán bộ Ban Thi đua – Khen thưởng gửi lại thư mời.")
        )
    if not invitation.user.is_active:
        raise InvitationInvalid(_("Tài khoản này đang bị khoá."))
    return invitation


@transaction.atomic
def invitation_accept(*, pk, token: str, password: str) -> User:
    """Set the password through the link, once: the row lock makes a second use fail."""
    invitation_check(pk, token)
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=pk)
    if invitation.used_at or invitation.revoked_at:
        raise InvitationInvalid(_("Liên kết này đã được dùng."))
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit(
        actor=user,
        action="account.invitation_accept",
        obj=user,
        summary=_("%(u)s đặt mật khẩu qua thư mời") % {"u": user.username},
        data={"invitation": invitation.pk},
    )
    return user
