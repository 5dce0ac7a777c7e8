"""Who may manage which accounts.

Office staff (cán bộ Ban TĐKT) manage the secretary and delegate accounts of their own
organizers' blocs and units. An account is *theirs* when at least one of its roles lies there;
they may change it only when every role lies there and it holds no office or superuser power
(those are managed by the system administrator). Others get 404 (not visible) or 403.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from blocs.access import managed_organizers, require_office, roles_of
from blocs.models import Bloc, RoleAssignment, Unit

User = get_user_model()


def managed_org_ids(actor) -> set[int] | None:
    """The organizers whose accounts the actor manages; None means all (superuser)."""
    roles = require_office(actor)
    if roles.superuser:
        return None
    return set(roles.organizer_ids)


def manageable_blocs(actor) -> QuerySet[Bloc]:
    return Bloc.objects.filter(organizer__in=managed_organizers(actor), archived_at__isnull=True)


def manageable_units(actor) -> QuerySet[Unit]:
    return Unit.objects.filter(organizer__in=managed_organizers(actor), archived_at__isnull=True)


def _role_in_orgs(org_ids: set[int]) -> Q:
    return Q(role=RoleAssignment.Role.SECRETARY, bloc__organizer_id__in=org_ids) | Q(
        role=RoleAssignment.Role.DELEGATE, unit__organizer_id__in=org_ids
    )


def managed_users(actor) -> QuerySet:
    """Accounts with a secretary or delegate role in the actor's organizers."""
    org_ids = managed_org_ids(actor)
    roles = RoleAssignment.objects.filter(
        role__in=[RoleAssignment.Role.SECRETARY, RoleAssignment.Role.DELEGATE]
    )
    if org_ids is not None:
        roles = roles.filter(_role_in_orgs(org_ids))
    return User.objects.filter(pk__in=roles.values("user_id"))


def refuse_unless_changeable(actor, user) -> None:
    """403 unless every role of `user` lies in the actor's organizers and it has no office power."""
    if user.pk == actor.pk:
        raise PermissionDenied(_("Không thể tự thay đổi tài khoản của mình ở trang này."))
    if user.is_superuser or user.is_staff:
        raise PermissionDenied(_("Tài khoản quản trị hệ thống chỉ do quản trị viên thay đổi."))
    assignments = list(user.role_assignments.all())
    if any(a.role == RoleAssignment.Role.OFFICE for a in assignments):
        raise PermissionDenied(
            _("Tài khoản cán bộ Ban Thi đua – Khen thưởng chỉ do quản trị viên thay đổi.")
        )
    org_ids = managed_org_ids(actor)
    if org_ids is None:
        return
    outside = user.role_assignments.exclude(_role_in_orgs(org_ids)).exists()
    if outside:
        raise PermissionDenied(
            _("Tài khoản này còn vai trò ở cơ quan tổ chức khác; không thể thay đổi ở đây.")
        )


def get_account_for_user(actor, pk, *, change: bool = False):
    try:
        user = managed_users(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy tài khoản.")) from None
    if change:
        refuse_unless_changeable(actor, user)
    return user


def can_manage_accounts(user) -> bool:
    return roles_of(user).is_office
