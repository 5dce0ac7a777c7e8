"""Who may do what in the awards app, on top of blocs.access.

- office staff and the bloc's secretary "run" the bloc-year: quotas, nominations, criteria,
  phases, locks, deadlines, and recording on behalf of any member unit;
- only office staff record award decisions and edit the catalog;
- a unit's delegate acts for that unit: registration, signature, self-scoring, explanation,
  cross-scoring of other units; the leader unit's delegate drafts the covenant and reviews scores.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from blocs.access import can_manage_bloc, can_run_bloc, require_run_bloc, roles_of
from blocs.models import BlocYear, LeadershipTerm, Unit

from .models import ScoreSheet, ScoringScheme


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
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng được ghi quyết định khen thưởng.")
        )


def delegate_unit_ids(user) -> set[int]:
    return roles_of(user).delegate_unit_ids


def can_act_for(user, bloc_year: BlocYear, unit_id: int) -> bool:
    return can_run(user, bloc_year) or unit_id in delegate_unit_ids(user)


def require_act_for(user, bloc_year: BlocYear, unit_id: int) -> None:
    if not can_act_for(user, bloc_year, unit_id):
        raise PermissionDenied(_("Bạn chỉ thao tác được cho đơn vị của mình."))


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


def sheet_modes(user, bloc_year: BlocYear, sheet) -> dict[str, Unit | None]:
    """The scoring workflow's permissions: the forms this user may use on this sheet now
    ("self", "review", "cross", "explain"); for review and cross, the unit that scores
    (None for review by the office or the secretary)."""
    scheme = sheet.scheme
    modes: dict[str, Unit | None] = {}
    if scheme.phase != ScoringScheme.Phase.OPEN or sheet.is_locked:
        return modes
    run = can_run(user, bloc_year)
    own = can_act_for(user, bloc_year, sheet.unit_id)
    mine = delegate_unit_ids(user)
    if sheet.status == ScoreSheet.Status.DRAFT and own:
        modes["self"] = None
    if scheme.method == ScoringScheme.Method.LEADER and sheet.status in (
        ScoreSheet.Status.SUBMITTED,
        ScoreSheet.Status.REVIEWED,
    ):
        reviewers = reviewer_unit_ids(bloc_year) & (mine - {sheet.unit_id})
        if run or reviewers:
            modes["review"] = (
                Unit.objects.filter(pk__in=reviewers).first() if reviewers and not run else None
            )
    if scheme.method == ScoringScheme.Method.CROSS and sheet.status == ScoreSheet.Status.SUBMITTED:
        scorer_ids = (mine - {sheet.unit_id}) & set(
            scheme.bloc_year.memberships.values_list("unit_id", flat=True)
        )
        if scorer_ids:
            modes["cross"] = Unit.objects.filter(pk__in=scorer_ids).order_by("name").first()
    if sheet.status == ScoreSheet.Status.REVIEWED and own:
        modes["explain"] = None
    return modes


def require_sheet_mode(
    user, bloc_year: BlocYear, sheet, mode: str, unit: Unit | None = None, *, modes=None
) -> None:
    """403 unless `sheet_modes` lets the user use `mode` on the sheet now. For review and cross,
    `unit` is the unit that scores: it must be one the user acts for (None: the office or the
    secretary reviews). `modes`: the user's `sheet_modes`, when the caller has them already."""
    if modes is None:
        modes = sheet_modes(user, bloc_year, sheet)
    allowed = mode in modes
    if allowed and mode == "review":
        allowed = (
            unit is None
            if modes[mode] is None
            else unit is not None
            and unit.pk in reviewer_unit_ids(bloc_year) & delegate_unit_ids(user)
        )
    elif allowed and mode == "cross":
        allowed = unit is not None and unit.pk in delegate_unit_ids(user)
    if not allowed:
        raise PermissionDenied(_("Bạn không được chấm ở bước này."))
