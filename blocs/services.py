"""Operations over several registry objects. Keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    AuditEvent,
    Bloc,
    BlocName,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    OrganizerName,
    RotationSlot,
    Unit,
    UnitEvent,
    UnitName,
)


def audit(*, actor, action: str, obj, summary: str, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        data=data or {},
    )


def fresh_organizer(pk: int) -> Organizer:
    """The organizer as stored now (whether it merged away is checked on fresh data)."""
    return Organizer.objects.select_related("merged_into").get(pk=pk)


def both_roles_message() -> str:
    return _("Một đơn vị không thể vừa là Khối trưởng vừa là Khối phó trong cùng một năm.")


# --- organizers ------------------------------------------------------------------------------

ORGANIZER_NAME_FIELDS = ("name", "office_name", "place_name", "province", "division")


@transaction.atomic
def organizer_rename(
    *, organizer: Organizer, effective_date: dt.date, basis: str = "", actor=None, **new
) -> Organizer:
    """Change an organizer's names (name, office_name, place_name, province, division) from
    `effective_date`. Earlier dates keep the former names (an OrganizerName record)."""
    unknown = set(new) - set(ORGANIZER_NAME_FIELDS)
    if unknown:
        raise TypeError(f"organizer_rename: unknown fields {sorted(unknown)}")
    before = Organizer.objects.select_for_update(of=("self",)).get(pk=organizer.pk)
    changes = {
        k: v.strip() for k, v in new.items() if v is not None and v.strip() != getattr(before, k)
    }
    if not changes:
        return before
    last = before.former_names.order_by("-valid_until").first()
    if last and effective_date <= last.valid_until:
        raise ValidationError(
            {
                "effective_date": _("Ngày hiệu lực phải sau lần đổi tên trước (%(date)s).")
                % {"date": last.valid_until.strftime("%d/%m/%Y")}
            }
        )
    OrganizerName.objects.create(
        organizer=before,
        valid_from=last.valid_until if last else None,
        valid_until=effective_date,
        basis=basis,
        **{k: getattr(before, k) for k in ORGANIZER_NAME_FIELDS},
    )
    old_name = before.name
    for k, v in changes.items():
        setattr(before, k, v)
    before.save(update_fields=list(changes))
    audit(
        actor=actor,
        action="organizer.rename",
        obj=before,
        summary=_("Đổi tên «%(old)s» thành «%(new)s» từ %(date)s")
        % {"old": old_name, "new": before.name, "date": effective_date.strftime("%d/%m/%Y")},
        data={"changes": changes, "basis": basis},
    )
    return before


# --- units ----------------------------------------------------------------------------------


@transaction.atomic
def unit_save(*, unit: Unit, actor=None) -> Unit:
    """Create or update a unit from a validated form instance (name changes go via rename)."""
    created = unit.pk is None
    if created:
        fresh_organizer(unit.organizer_id).ensure_active_on(timezone.localdate(), "organizer")
    try:
        with transaction.atomic():  # a simultaneous double submit passes the form's check
            unit.save()
    except IntegrityError:
        raise ValidationError(
            {"code": _("Mã đơn vị «%(code)s» đã được dùng.") % {"code": unit.code}}
        ) from None
    if created:
        UnitEvent.objects.create(
            unit=unit,
            kind=UnitEvent.Kind.CREATED,
            effective_date=timezone.localdate(),
            new_name=unit.name,
            recorded_by=_user(actor),
        )
    audit(
        actor=actor, action="unit.create" if created else "unit.edit", obj=unit, summary=unit.name
    )
    return unit


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def unit_rename(
    *,
    unit: Unit,
    new_name: str,
    new_short_name: str = "",
    effective_date: dt.date,
    basis: str = "",
    actor=None,
) -> Unit:
    """Rename from `effective_date`: the old name stays valid for every earlier date."""
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    new_name = new_name.strip()
    if not new_name:
        raise ValidationError({"new_name": _("Tên mới không được để trống.")})
    new_short_name = new_short_name.strip() or unit.short_name
    if (new_name, new_short_name) == (unit.name, unit.short_name):
        raise ValidationError({"new_name": _("Tên mới trùng với tên hiện nay.")})
    last = unit.former_names.order_by("-valid_until").first()
    if last and effective_date <= last.valid_until:
        raise ValidationError(
            {
                "effective_date": _("Ngày hiệu lực phải sau lần đổi tên trước (%(date)s).")
                % {"date": last.valid_until.strftime("%d/%m/%Y")}
            }
        )
    UnitName.objects.create(
        unit=unit,
        name=unit.name,
        short_name=unit.short_name,
        valid_from=last.valid_until if last else None,
        valid_until=effective_date,
    )
    old = unit.name
    unit.name = new_name
    unit.short_name = new_short_name
    unit.save(update_fields=["name", "short_name"])
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.RENAMED,
        effective_date=effective_date,
        old_name=old,
        new_name=new_name,
        basis=basis,
        recorded_by=_user(actor),
    )
    audit(
        actor=actor,
        action="unit.rename",
        obj=unit,
        summary=_("Đổi tên «%(old)s» thành «%(new)s» từ %(date)s")
        % {"old": old, "new": new_name, "date": effective_date.strftime("%d/%m/%Y")},
    )
    return unit


def merge_targets(unit: Unit):
    """Units `unit` may merge into: active units of its organizer, and of the organizer that
    succeeded its organizer (a province merger), never itself."""
    organizers = [unit.organizer_id]
    if unit.organizer.merged_into_id:
        organizers.append(unit.organizer.merged_into_id)
    return (
        Unit.objects.active()
        .filter(organizer_id__in=organizers, merged_into__isnull=True)
        .exclude(pk=unit.pk)
        .select_related("organizer")
    )


def merge_sources(unit: Unit):
    """Units that may merge into `unit`: active units of its organizer and of the organizers
    that merged into it."""
    return (
        Unit.objects.active()
        .filter(
            Q(organizer_id=unit.organizer_id) | Q(organizer__merged_into_id=unit.organizer_id),
            merged_into__isnull=True,
        )
        .exclude(pk=unit.pk)
        .select_related("organizer")
    )


@transaction.atomic
def unit_merge(
    *, unit: Unit, into: Unit, effective_date: dt.date, basis: str = "", actor=None
) -> Unit:
    """Merge `unit` into `into` from `effective_date`. The merged unit is archived, not deleted.

    `into` belongs to the same organizer, or to the organizer that succeeded `unit`'s
    organizer (a province merger: Hà Giang's «Công an tỉnh» into Tuyên Quang's)."""
    unit = Unit.objects.select_for_update(of=("self",)).select_related("organizer").get(pk=unit.pk)
    if unit.pk == into.pk:
        raise ValidationError({"into": _("Không thể hợp nhất đơn vị vào chính nó.")})
    if unit.merged_into_id:
        raise ValidationError({"into": _("Đơn vị này đã được hợp nhất trước đó.")})
    if into.merged_into_id:
        raise ValidationError({"into": _("Đơn vị tiếp nhận đã bị hợp nhất vào đơn vị khác.")})
    cross = unit.organizer_id != into.organizer_id
    if cross and unit.organizer.merged_into_id != into.organizer_id:
        raise ValidationError(
            {
                "into": _(
                    "Đơn vị tiếp nhận phải thuộc %(org)s, hoặc thuộc tỉnh, thành phố mà %(org)s "
                    "đã hợp nhất vào."
                )
                % {"org": unit.organizer.name}
            }
        )
    if cross and effective_date < unit.organizer.merged_on:
        raise ValidationError(
            {
                "effective_date": _(
                    "Đơn vị chỉ chuyển sang tỉnh khác từ ngày hợp nhất tỉnh (%(date)s) trở đi."
                )
                % {"date": unit.organizer.merged_on.strftime("%d/%m/%Y")}
            }
        )
    user = _user(actor)
    unit.merged_into = into
    unit.merged_on = effective_date
    unit.archived_at = unit.archived_at or timezone.now()
    unit.save(update_fields=["merged_into", "merged_on", "archived_at"])
    UnitEvent.objects.bulk_create(
        UnitEvent.merge_pair(unit=unit, into=into, day=effective_date, basis=basis, user=user)
    )
    if not cross:
        # Memberships after the merge date move to the receiving unit (same blocs).
        later = Membership.objects.filter(unit=unit, bloc_year__year__gt=effective_date.year)
        for membership in later.select_for_update(of=("self",)):
            if Membership.objects.filter(bloc_year=membership.bloc_year, unit=into).exists():
                membership.delete()
            else:
                membership.unit = into
                membership.save(update_fields=["unit"])
    audit(
        actor=actor,
        action="unit.merge",
        obj=unit,
        summary=_("Hợp nhất «%(old)s» (%(old_org)s) vào «%(new)s» (%(new_org)s) từ %(date)s")
        % {
            "old": unit.name,
            "old_org": unit.organizer.name,
            "new": into.name,
            "new_org": into.organizer.name,
            "date": effective_date.strftime("%d/%m/%Y"),
        },
    )
    return unit


def unit_lineage(unit: Unit) -> list[Unit]:
    """The unit and every unit merged into it, transitively (for awards across mergers)."""
    seen = {unit.pk: unit}
    frontier = [unit.pk]
    while frontier:
        found = list(Unit.objects.filter(merged_into_id__in=frontier).select_related("organizer"))
        frontier = [u.pk for u in found if u.pk not in seen]
        seen.update({u.pk: u for u in found})
    return list(seen.values())


def unit_successors(unit: Unit) -> list[Unit]:
    """The units that carried `unit` on after it merged, nearest first."""
    chain = []
    current = unit
    while current.merged_into_id and len(chain) < 10:
        current = Unit.objects.select_related("organizer").get(pk=current.merged_into_id)
        chain.append(current)
    return chain


@transaction.atomic
def unit_set_archived(*, unit: Unit, archived: bool, actor=None) -> Unit:
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    if not archived and unit.merged_into_id:
        raise ValidationError(
            _("Đơn vị đã hợp nhất vào %(name)s nên không thể khôi phục.")
            % {"name": unit.merged_into.name}
        )
    unit.archived_at = timezone.now() if archived else None
    unit.save(update_fields=["archived_at"])
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.ARCHIVED if archived else UnitEvent.Kind.RESTORED,
        effective_date=timezone.localdate(),
        recorded_by=_user(actor),
    )
    audit(
        actor=actor,
        action="unit.archive" if archived else "unit.restore",
        obj=unit,
        summary=unit.name,
    )
    return unit


# --- blocs and years ------------------------------------------------------------------------


@transaction.atomic
def bloc_save(
    *,
    bloc: Bloc,
    predecessor: Bloc | None = None,
    name_effective_date: dt.date | None = None,
    actor=None,
) -> Bloc:
    """Create or update a bloc from a validated form instance.

    A changed name or short name is kept as a dated record (BlocName) valid until
    `name_effective_date`, never overwritten. A chosen predecessor is recorded as a succession.
    """
    created = bloc.pk is None
    if created:
        fresh_organizer(bloc.organizer_id).ensure_active_on(timezone.localdate(), "organizer")
        bloc.save()
    else:
        before = Bloc.objects.select_for_update(of=("self",)).get(pk=bloc.pk)
        if (before.name, before.short_name) != (bloc.name, bloc.short_name):
            if name_effective_date is None:
                raise ValidationError(
                    {
                        "name_effective_date": _(
                            "Cần ghi ngày hiệu lực khi đổi tên hoặc ký hiệu của khối."
                        )
                    }
                )
            _bloc_keep_name(before, name_effective_date)
        bloc.save()
    if predecessor is not None:
        bloc_succession_add(
            predecessor=predecessor,
            successor=bloc,
            effective_date=predecessor.organizer.merged_on or timezone.localdate(),
            actor=actor,
        )
    audit(
        actor=actor,
        action="bloc.create" if created else "bloc.edit",
        obj=bloc,
        summary=bloc.name,
    )
    return bloc


def _bloc_keep_name(before: Bloc, effective_date: dt.date, basis: str = "") -> BlocName:
    last = before.former_names.order_by("-valid_until").first()
    if last and effective_date <= last.valid_until:
        raise ValidationError(
            {
                "name_effective_date": _("Ngày hiệu lực phải sau lần đổi tên trước (%(date)s).")
                % {"date": last.valid_until.strftime("%d/%m/%Y")}
            }
        )
    return BlocName.objects.create(
        bloc=before,
        name=before.name,
        short_name=before.short_name,
        valid_from=last.valid_until if last else None,
        valid_until=effective_date,
        basis=basis,
    )


@transaction.atomic
def bloc_rename(
    *,
    bloc: Bloc,
    new_name: str,
    new_short_name: str = "",
    effective_date: dt.date,
    basis: str = "",
    actor=None,
) -> Bloc:
    """Rename a bloc from `effective_date`; earlier dates keep the old name."""
    before = Bloc.objects.select_for_update(of=("self",)).get(pk=bloc.pk)
    new_name = new_name.strip() or before.name
    new_short_name = new_short_name.strip() or before.short_name
    if (new_name, new_short_name) == (before.name, before.short_name):
        return before
    _bloc_keep_name(before, effective_date, basis)
    old = before.name
    before.name, before.short_name = new_name, new_short_name
    before.save(update_fields=["name", "short_name"])
    audit(
        actor=actor,
        action="bloc.rename",
        obj=before,
        summary=_("Đổi tên khối «%(old)s» thành «%(new)s» từ %(date)s")
        % {"old": old, "new": new_name, "date": effective_date.strftime("%d/%m/%Y")},
    )
    return before


@transaction.atomic
def bloc_succession_add(
    *, predecessor: Bloc, successor: Bloc, effective_date: dt.date, basis: str = "", actor=None
) -> BlocSuccession:
    """Record that `successor` continues `predecessor` from `effective_date`."""
    if predecessor.pk == successor.pk:
        raise ValidationError({"predecessor": _("Khối không thể là tiền thân của chính nó.")})
    if successor.pk in {b.pk for b in bloc_predecessors(predecessor)}:
        raise ValidationError(
            {"predecessor": _("Khối này đã là khối kế tục của khối được chọn (vòng lặp).")}
        )
    link, created = BlocSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"effective_date": effective_date, "basis": basis},
    )
    if created:
        audit(
            actor=actor,
            action="bloc.succession",
            obj=successor,
            summary=_("«%(new)s» kế tục «%(old)s» từ %(date)s")
            % {
                "new": successor.name,
                "old": predecessor.name,
                "date": effective_date.strftime("%d/%m/%Y"),
            },
        )
    return link


def bloc_predecessors(bloc: Bloc) -> list[Bloc]:
    """Every bloc that `bloc` continues, transitively, nearest first (one query per generation)."""
    seen: dict[int, Bloc] = {}
    frontier = [bloc.pk]
    while frontier:
        links = BlocSuccession.objects.filter(successor_id__in=frontier).select_related(
            "predecessor__organizer"
        )
        found = [link.predecessor for link in links if link.predecessor_id not in seen]
        found = [b for b in found if b.pk != bloc.pk]
        seen.update({b.pk: b for b in found})
        frontier = [b.pk for b in found]
    return list(seen.values())


@transaction.atomic
def bloc_set_archived(*, bloc: Bloc, archived: bool, actor=None) -> Bloc:
    bloc.archived_at = timezone.now() if archived else None
    bloc.save(update_fields=["archived_at"])
    audit(
        actor=actor,
        action="bloc.archive" if archived else "bloc.restore",
        obj=bloc,
        summary=bloc.name,
    )
    return bloc


@transaction.atomic
def bloc_year_create(
    *,
    bloc: Bloc,
    year: int,
    copy_members: bool = True,
    plan_reference: str = "",
    notes: str = "",
    actor=None,
) -> BlocYear:
    """Open a new year. Members are copied from the latest earlier year (skipping merged units).

    A province that merged away offers no year starting on or after its merger date."""
    fresh_organizer(bloc.organizer_id).ensure_active_on(dt.date(year, 1, 1), "year")
    taken = _("Khối đã có năm thi đua %(year)s.") % {"year": year}
    if BlocYear.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError({"year": taken})
    try:
        with transaction.atomic():  # a simultaneous double submit passes the check above
            bloc_year = BlocYear.objects.create(
                bloc=bloc, year=year, plan_reference=plan_reference, notes=notes
            )
    except IntegrityError:
        raise ValidationError({"year": taken}) from None
    if copy_members:
        previous = BlocYear.objects.filter(bloc=bloc, year__lt=year).order_by("-year").first()
        if previous:
            start = dt.date(year, 1, 1)
            units = []
            for m in previous.memberships.select_related("unit", "unit__merged_into"):
                unit = m.unit
                # A unit merged before the new year is replaced by the unit that absorbed it.
                while unit.merged_into_id and unit.merged_on and unit.merged_on <= start:
                    unit = unit.merged_into
                if unit.organizer_id == bloc.organizer_id and unit.pk not in {u.pk for u in units}:
                    units.append(unit)
            Membership.objects.bulk_create(Membership(bloc_year=bloc_year, unit=u) for u in units)
    audit(actor=actor, action="blocyear.create", obj=bloc_year, summary=str(bloc_year))
    return bloc_year


@transaction.atomic
def bloc_year_update(*, bloc_year: BlocYear, actor=None) -> BlocYear:
    """Save a year's plan reference and notes (validated by its form)."""
    bloc_year.save(update_fields=["plan_reference", "notes"])
    audit(actor=actor, action="blocyear.edit", obj=bloc_year, summary=str(bloc_year))
    return bloc_year


@transaction.atomic
def bloc_year_set_archived(*, bloc_year: BlocYear, archived: bool, actor=None) -> BlocYear:
    bloc_year.archived_at = timezone.now() if archived else None
    bloc_year.save(update_fields=["archived_at"])
    audit(
        actor=actor,
        action="blocyear.archive" if archived else "blocyear.restore",
        obj=bloc_year,
        summary=str(bloc_year),
    )
    return bloc_year


@transaction.atomic
def membership_add(
    *, bloc_year: BlocYear, unit: Unit, joined_on: dt.date | None = None, note: str = "", actor=None
) -> Membership:
    organizer = fresh_organizer(bloc_year.bloc.organizer_id)
    if unit.organizer_id != organizer.pk:
        raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan tổ chức của khối.")})
    organizer.ensure_active_on(joined_on or dt.date(bloc_year.year, 1, 1), "joined_on")
    if unit.merged_into_id and unit.merged_on and unit.merged_on <= dt.date(bloc_year.year, 1, 1):
        raise ValidationError({"unit": _("Đơn vị đã hợp nhất vào đơn vị khác trước năm này.")})
    already = _("Đơn vị đã là thành viên của khối trong năm này.")
    if Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError({"unit": already})
    membership = Membership(bloc_year=bloc_year, unit=unit, joined_on=joined_on, note=note)
    membership.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():  # a simultaneous double submit passes the check above
            membership.save()
    except IntegrityError:
        raise ValidationError({"unit": already}) from None
    audit(
        actor=actor,
        action="membership.add",
        obj=bloc_year,
        summary=_("Thêm %(unit)s") % {"unit": unit.name_on(bloc_year.reference_date)},
    )
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, actor=None) -> Membership:
    """Save the dates inside the year (validated by its form)."""
    membership.full_clean(validate_unique=False, validate_constraints=False)
    membership.save(update_fields=["joined_on", "left_on", "note"])
    audit(
        actor=actor,
        action="membership.edit",
        obj=membership.bloc_year,
        summary=_("%(unit)s: %(start)s – %(end)s")
        % {
            "unit": membership.unit.name_on(membership.bloc_year.reference_date),
            "start": membership.joined_on.strftime("%d/%m/%Y") if membership.joined_on else "…",
            "end": membership.left_on.strftime("%d/%m/%Y") if membership.left_on else "…",
        },
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> None:
    bloc_year = membership.bloc_year
    if LeadershipTerm.objects.filter(bloc_year=bloc_year, unit=membership.unit).exists():
        raise ValidationError(
            _(
                "Đơn vị đang là Khối trưởng hoặc Khối phó của năm này; "
                "hãy đổi Khối trưởng/Khối phó trước."
            )
        )
    name = membership.unit.name_on(bloc_year.reference_date)
    membership.delete()
    audit(
        actor=actor,
        action="membership.remove",
        obj=bloc_year,
        summary=_("Bớt %(unit)s") % {"unit": name},
    )


# --- leader and deputy ----------------------------------------------------------------------


def _check_member(bloc_year: BlocYear, unit: Unit, field: str = "unit") -> None:
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError(
            {
                field: _("Đơn vị không phải thành viên của khối trong năm %(year)s.")
                % {"year": bloc_year.year}
            }
        )


@transaction.atomic
def leadership_set(
    *,
    bloc_year: BlocYear,
    role: str,
    unit: Unit,
    method: str = LeadershipTerm.Method.APPOINTED,
    reason: str = "",
    actor=None,
) -> LeadershipTerm:
    """Set (confirmed) the leader or deputy of a year. Overriding a proposal needs a reason."""
    _check_member(bloc_year, unit)
    other_role = (
        LeadershipTerm.Role.DEPUTY
        if role == LeadershipTerm.Role.LEADER
        else LeadershipTerm.Role.LEADER
    )
    if LeadershipTerm.objects.filter(bloc_year=bloc_year, role=other_role, unit=unit).exists():
        raise ValidationError({"unit": both_roles_message()})
    term = LeadershipTerm.objects.filter(bloc_year=bloc_year, role=role).first()
    proposed_unit = None
    if term and term.status == LeadershipTerm.Status.PROPOSED and term.unit_id != unit.pk:
        method = LeadershipTerm.Method.OVERRIDE
        proposed_unit = term.unit
    if method == LeadershipTerm.Method.OVERRIDE and not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do khi chọn khác với đề xuất luân phiên.")})
    old = term.unit.name if term else None
    if term is None:
        term = LeadershipTerm(bloc_year=bloc_year, role=role)
    term.unit = unit
    term.method = method
    term.status = LeadershipTerm.Status.CONFIRMED
    term.reason = reason.strip()
    term.proposed_unit = proposed_unit or term.proposed_unit
    term.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    term.decided_at = timezone.now()
    try:
        with transaction.atomic():  # the database refuses one unit in both roles
            term.save()
    except IntegrityError:
        raise ValidationError({"unit": both_roles_message()}) from None
    audit(
        actor=actor,
        action=f"leadership.{role}.set",
        obj=bloc_year,
        summary=(
            _("%(role)s năm %(year)s: %(unit)s (thay %(old)s)")
            if old and old != unit.name
            else _("%(role)s năm %(year)s: %(unit)s")
        )
        % {"role": term.role_label(), "year": bloc_year.year, "unit": unit.name, "old": old},
        data={"method": method, "reason": term.reason},
    )
    return term


def rotation_proposal(*, bloc_year: BlocYear) -> tuple[Unit | None, Unit | None]:
    """Next leader and deputy for `bloc_year` from the bloc's rotation plan and last year.

    Only units that are members of `bloc_year` are proposed. With the policy
    "deputy promoted", last year's deputy becomes leader; otherwise the unit after last
    year's leader in the rotation order does. The deputy is the next unit in order after
    the proposed leader.
    """
    bloc = bloc_year.bloc
    order = [s.unit for s in RotationSlot.objects.filter(bloc=bloc).select_related("unit")]
    member_ids = set(bloc_year.memberships.values_list("unit_id", flat=True))
    order = [u for u in order if u.pk in member_ids]
    if not order:
        return None, None
    previous = (
        BlocYear.objects.filter(bloc=bloc, year__lt=bloc_year.year)
        .order_by("-year")
        .prefetch_related("terms__unit")
        .first()
    )
    prev_leader = previous.leader_term.unit if previous and previous.leader_term else None
    prev_deputy = previous.deputy_term.unit if previous and previous.deputy_term else None
    ids = [u.pk for u in order]

    def after(unit: Unit | None) -> Unit:
        if unit is None or unit.pk not in ids:
            return order[0]
        return order[(ids.index(unit.pk) + 1) % len(order)]

    if (
        bloc.rotation_policy == Bloc.RotationPolicy.DEPUTY_PROMOTED
        and prev_deputy is not None
        and prev_deputy.pk in ids
    ):
        leader = prev_deputy
    else:
        leader = after(prev_leader)
    deputy = after(leader)
    if deputy.pk == leader.pk:
        deputy = None
    return leader, deputy


@transaction.atomic
def rotation_propose(*, bloc_year: BlocYear, actor=None) -> list[LeadershipTerm]:
    """Store the rotation plan's proposal as PROPOSED terms; confirmed terms are left alone."""
    leader, deputy = rotation_proposal(bloc_year=bloc_year)
    if leader is None:
        raise ValidationError(_("Chưa có thứ tự luân phiên gồm các đơn vị thành viên của năm này."))
    created = []
    for role, unit in ((LeadershipTerm.Role.LEADER, leader), (LeadershipTerm.Role.DEPUTY, deputy)):
        if unit is None:
            continue
        term = LeadershipTerm.objects.filter(bloc_year=bloc_year, role=role).first()
        if term and term.status == LeadershipTerm.Status.CONFIRMED:
            continue
        if term is None:
            term = LeadershipTerm(bloc_year=bloc_year, role=role)
        term.unit = unit
        term.proposed_unit = unit
        term.method = LeadershipTerm.Method.ROTATION
        term.status = LeadershipTerm.Status.PROPOSED
        term.save()
        created.append(term)
    audit(
        actor=actor,
        action="leadership.propose",
        obj=bloc_year,
        summary=f"Đề xuất luân phiên năm {bloc_year.year}: "
        + ", ".join(f"{t.role_label()} {t.unit.name}" for t in created),
    )
    return created


@transaction.atomic
def leadership_accept(*, term: LeadershipTerm, actor=None) -> LeadershipTerm:
    if term.status != LeadershipTerm.Status.PROPOSED:
        raise ValidationError(_("Chỉ chấp thuận được đề xuất chưa xác nhận."))
    term.status = LeadershipTerm.Status.CONFIRMED
    term.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    term.decided_at = timezone.now()
    term.save(update_fields=["status", "decided_by", "decided_at"])
    audit(actor=actor, action="leadership.accept", obj=term.bloc_year, summary=f"Chấp thuận {term}")
    return term


@transaction.atomic
def leadership_record_election(
    *,
    bloc_year: BlocYear,
    role: str,
    unit: Unit,
    meeting_label: str,
    meeting_url: str = "",
    elected_on: dt.date | None = None,
    actor=None,
) -> LeadershipTerm:
    """Called by the meetings app when a poll elects next year's leader or deputy."""
    _check_member(bloc_year, unit)
    term = LeadershipTerm.objects.filter(bloc_year=bloc_year, role=role).first()
    if term is None:
        term = LeadershipTerm(bloc_year=bloc_year, role=role)
    elif term.unit_id != unit.pk and term.status == LeadershipTerm.Status.PROPOSED:
        term.proposed_unit = term.unit
    term.unit = unit
    term.method = LeadershipTerm.Method.ELECTED
    term.status = LeadershipTerm.Status.CONFIRMED
    term.elected_at_label = meeting_label
    term.elected_at_url = meeting_url
    term.elected_on = elected_on
    term.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    term.decided_at = timezone.now()
    term.save()
    audit(
        actor=actor, action="leadership.elected", obj=bloc_year, summary=f"{term} – {meeting_label}"
    )
    return term


@transaction.atomic
def rotation_set_order(*, bloc: Bloc, units: list[Unit], actor=None) -> None:
    if len({u.pk for u in units}) != len(units):
        raise ValidationError(_("Một đơn vị xuất hiện hai lần trong thứ tự luân phiên."))
    for unit in units:
        if unit.organizer_id != bloc.organizer_id:
            raise ValidationError(
                _("Đơn vị %(name)s không thuộc cơ quan tổ chức của khối.") % {"name": unit.name}
            )
    RotationSlot.objects.filter(bloc=bloc).delete()
    RotationSlot.objects.bulk_create(
        RotationSlot(bloc=bloc, unit=u, position=i) for i, u in enumerate(units, start=1)
    )
    audit(actor=actor, action="rotation.set", obj=bloc, summary=" → ".join(u.name for u in units))
