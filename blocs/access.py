"""Who may see and change what. One small helper per object kind; each raises 404 or 403.

Rules:
- superuser: everything;
- office staff (cán bộ Ban TĐKT): view and manage every bloc and unit of their organizer, and of
  the organizers that merged into it (a province keeps the records of those it absorbed);
- bloc secretary: view their bloc (and its units), record its meetings;
- unit delegate: view their unit and the blocs their unit is a member of.
Objects a user may not see answer 404 (no existence leak); objects they may see but not
change answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Bloc, BlocYear, Membership, Organizer, RoleAssignment, Unit


@dataclass
class Roles:
    superuser: bool = False
    organizer_ids: set[int] = field(default_factory=set)
    secretary_bloc_ids: set[int] = field(default_factory=set)
    delegate_unit_ids: set[int] = field(default_factory=set)

    @property
    def is_office(self) -> bool:
        return self.superuser or bool(self.organizer_ids)

    @property
    def any(self) -> bool:
        return (
            self.superuser
            or bool(self.organizer_ids)
            or bool(self.secretary_bloc_ids)
            or bool(self.delegate_unit_ids)
        )


def roles_of(user) -> Roles:
    """The user's roles, computed once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_khoithidua_roles", None)
    if cached is not None:
        return cached
    roles = Roles(superuser=user.is_superuser)
    # Office staff of a province also hold the records of the provinces merged into it
    # (their predecessors): one row per predecessor, in the same query.
    for role, org_id, predecessor_id, bloc_id, unit_id in RoleAssignment.objects.filter(
        user=user
    ).values_list("role", "organizer_id", "organizer__merged_from", "bloc_id", "unit_id"):
        if role == RoleAssignment.Role.OFFICE:
            roles.organizer_ids.add(org_id)
            if predecessor_id is not None:
                roles.organizer_ids.add(predecessor_id)
        elif role == RoleAssignment.Role.SECRETARY:
            roles.secretary_bloc_ids.add(bloc_id)
        elif role == RoleAssignment.Role.DELEGATE:
            roles.delegate_unit_ids.add(unit_id)
    user._khoithidua_roles = roles
    return roles


# --- querysets of what a user can see -------------------------------------------------------


def visible_organizers(user) -> QuerySet[Organizer]:
    roles = roles_of(user)
    if roles.superuser:
        return Organizer.objects.all()
    return Organizer.objects.filter(
        Q(pk__in=roles.organizer_ids)
        | Q(blocs__pk__in=roles.secretary_bloc_ids)
        | Q(units__pk__in=roles.delegate_unit_ids)
    ).distinct()


def managed_organizers(user) -> QuerySet[Organizer]:
    roles = roles_of(user)
    if roles.superuser:
        return Organizer.objects.all()
    return Organizer.objects.filter(pk__in=roles.organizer_ids)


def visible_blocs(user) -> QuerySet[Bloc]:
    roles = roles_of(user)
    if roles.superuser:
        return Bloc.objects.all()
    q = Q(organizer_id__in=roles.organizer_ids) | Q(pk__in=roles.secretary_bloc_ids)
    if roles.delegate_unit_ids:
        q |= Q(
            pk__in=Membership.objects.filter(unit_id__in=roles.delegate_unit_ids).values(
                "bloc_year__bloc_id"
            )
        )
    return Bloc.objects.filter(q)


def visible_units(user) -> QuerySet[Unit]:
    roles = roles_of(user)
    if roles.superuser:
        return Unit.objects.all()
    q = Q(organizer_id__in=roles.organizer_ids) | Q(pk__in=roles.delegate_unit_ids)
    if roles.secretary_bloc_ids:
        q |= Q(
            pk__in=Membership.objects.filter(
                bloc_year__bloc_id__in=roles.secretary_bloc_ids
            ).values("unit_id")
        )
    return Unit.objects.filter(q)


# --- predicates -----------------------------------------------------------------------------


def can_manage_organizer(user, organizer_id: int) -> bool:
    roles = roles_of(user)
    return roles.superuser or organizer_id in roles.organizer_ids


def can_manage_bloc(user, bloc: Bloc) -> bool:
    """Registry changes to a bloc (years, members, leaders): the organizer's office staff."""
    return can_manage_organizer(user, bloc.organizer_id)


def is_bloc_secretary(user, bloc: Bloc) -> bool:
    return bloc.pk in roles_of(user).secretary_bloc_ids


def can_run_bloc(user, bloc: Bloc) -> bool:
    """Record meetings and outcomes of a bloc: office staff or the bloc's secretary."""
    return can_manage_bloc(user, bloc) or is_bloc_secretary(user, bloc)


# --- object getters for views ---------------------------------------------------------------


def get_bloc_for_user(user, pk: int, *, manage: bool = False) -> Bloc:
    try:
        bloc = visible_blocs(user).select_related("organizer").get(pk=pk)
    except (Bloc.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy khối thi đua.") from None
    if manage and not can_manage_bloc(user, bloc):
        raise PermissionDenied(_("Chỉ cán bộ Ban Thi đua – Khen thưởng được thay đổi khối này."))
    return bloc


def get_bloc_year_for_user(user, pk: int, *, manage: bool = False, run: bool = False) -> BlocYear:
    """The bloc-year if the user may see it (404 otherwise). `manage`: office staff of its
    organizer only; `run`: office staff or the bloc's secretary (403 otherwise)."""
    try:
        bloc_year = BlocYear.objects.select_related("bloc", "bloc__organizer").get(pk=pk)
    except (BlocYear.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy năm thi đua.") from None
    if not visible_blocs(user).filter(pk=bloc_year.bloc_id).exists():
        raise Http404("Không tìm thấy năm thi đua.")
    if manage and not can_manage_bloc(user, bloc_year.bloc):
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng được thay đổi năm thi đua này.")
        )
    if run:
        require_run_bloc(user, bloc_year.bloc)
    return bloc_year


def require_run_bloc(user, bloc: Bloc) -> None:
    """403 unless the user runs the bloc (its organizer's office staff or its secretary)."""
    if not can_run_bloc(user, bloc):
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối được thực hiện.")
        )


def get_unit_for_user(user, pk: int, *, manage: bool = False) -> Unit:
    try:
        unit = visible_units(user).select_related("organizer").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đơn vị.") from None
    if manage and not can_manage_organizer(user, unit.organizer_id):
        raise PermissionDenied(_("Chỉ cán bộ Ban Thi đua – Khen thưởng được thay đổi đơn vị này."))
    return unit


def require_office(user) -> Roles:
    """The user's roles if they are office staff (any organizer); 403 otherwise."""
    roles = roles_of(user)
    if not roles.is_office:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ Ban Thi đua – Khen thưởng."))
    return roles
