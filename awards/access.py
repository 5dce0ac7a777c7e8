"""Who may do what in the awards app, on top of blocs.access.

- office staff and the bloc's secretary "run" the bloc-year: quotas, nominations, criteria,
  phases, locks, deadlines, and recording on behalf of any member unit;
- only office staff record award decisions and edit the catalog;
- a unit's delegate acts for that unit: registration, signature, self-scoring, explanation,
  cross-scoring of other units; the leader unit's delegate drafts the covenant and reviews scores.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from blocs.access import can_manage_bloc, can_run_bloc, require_run_bloc, roles_of
from blocs.models import BlocYear, LeadershipTerm


def can_run(user, bloc_year: BlocYear) -> bool:
    return can_run_bloc(user, bloc_year.bloc)


def require_run(user, bloc_year: BlocYear) -> None:
    """For a bloc-year already fetched; to fetch and check at once, use
    `get_bloc_year_for_user(user, pk, run=True)`."""
    require_run_bloc(user, bloc_year.bloc)


def require_manage_bloc(user, bloc_year: BlocYear) -> None:
    """403 unless the user is office staff of the organizer that owns this bloc-year's bloc.

    (`blocs.access.require_office(user)` asks a different question: office staff anywhere.)"""
    if not can_manage_bloc(user, bloc_year.bloc):
        raise PermissionDenied(
            "Chỉ cán bộ Ban Thi đua – Khen thưởng được ghi quyết định khen thưởng."
        )


def delegate_unit_ids(user) -> set[int]:
    return roles_of(user).delegate_unit_ids


def can_act_for(user, bloc_year: BlocYear, unit_id: int) -> bool:
    return can_run(user, bloc_year) or unit_id in delegate_unit_ids(user)


def require_act_for(user, bloc_year: BlocYear, unit_id: int) -> None:
    if not can_act_for(user, bloc_year, unit_id):
        raise PermissionDenied("Bạn chỉ thao tác được cho đơn vị của mình.")


def leader_unit_id(bloc_year: BlocYear) -> int | None:
    return (
        LeadershipTerm.objects.filter(bloc_year=bloc_year, role=LeadershipTerm.Role.LEADER)
        .values_list("unit_id", flat=True)
        .first()
    )


def reviewer_unit_ids(bloc_year: BlocYear) -> set[int]:
    """The leader and deputy units: they review (the deputy reviews the leader's own sheet)."""
    return set(LeadershipTerm.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))


def can_lead(user, bloc_year: BlocYear) -> bool:
    """Draft the covenant: the office, the secretary, or the leader unit's delegate."""
    if can_run(user, bloc_year):
        return True
    leader = leader_unit_id(bloc_year)
    return leader is not None and leader in delegate_unit_ids(user)
