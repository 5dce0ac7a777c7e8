"""The merger of an organizer (a province) into another, as one reviewed operation.

1. `merger_record` — office staff of both provinces (or the superuser, for the national list)
   record that A merged into B on a date, with its căn cứ. From that date A is defunct: it
   offers no new years, imports or documents (Organizer.ensure_active_on).
2. `merger_proposal` — the app proposes, for each of A's units, its counterpart in B (matched by
   code, short name and name, every guess shown) or a new unit of B; for each of A's blocs, its
   successor bloc; for each role on A, whether it moves to B.
3. `merger_confirm` — the operator's choices are recorded as lineage dated at the merger: units
   merged into their counterparts (archived, never deleted), blocs succeeded, roles moved.
   History before the date stays A's; what comes after belongs to B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from . import matching
from .models import (
    Bloc,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    OrganizerMerger,
    RoleAssignment,
    RotationSlot,
    Unit,
    UnitEvent,
)
from .services import audit

LINK, NEW, NONE = "link", "new", "none"
MOVE, KEEP = "move", "keep"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- 1. recording -----------------------------------------------------------------------------


@transaction.atomic
def merger_record(
    *, source: Organizer, target: Organizer, effective_date: dt.date, basis: str, actor=None
) -> OrganizerMerger:
    """Record that `source` merged into `target` on `effective_date` (awaiting review)."""
    source = Organizer.objects.select_for_update(of=("self",)).get(pk=source.pk)
    basis = basis.strip()
    if source.pk == target.pk:
        raise ValidationError({"target": _("Không thể hợp nhất một tỉnh vào chính nó.")})
    if not basis:
        raise ValidationError({"basis": _("Cần ghi căn cứ hợp nhất (số, ngày của Nghị quyết).")})
    if source.merged_into_id or OrganizerMerger.objects.filter(source=source).exists():
        raise ValidationError(
            {"target": _("%(name)s đã được ghi nhận hợp nhất.") % {"name": source.name}}
        )
    chain = target
    for _i in range(10):
        if chain.pk == source.pk:
            raise ValidationError(
                {"target": _("Tỉnh tiếp nhận đã hợp nhất vào tỉnh này (vòng lặp).")}
            )
        if chain.merged_into_id is None:
            break
        chain = chain.merged_into
    if target.is_defunct_on(effective_date):
        raise ValidationError({"target": target.defunct_message()})
    source.merged_into = target
    source.merged_on = effective_date
    source.merge_basis = basis
    source.save(update_fields=["merged_into", "merged_on", "merge_basis"])
    merger = OrganizerMerger.objects.create(
        source=source,
        target=target,
        effective_date=effective_date,
        basis=basis,
        proposed_by=_user(actor),
    )
    audit(
        actor=actor,
        action="organizer.merge.record",
        obj=source,
        summary=_("Ghi nhận %(old)s hợp nhất vào %(new)s từ %(date)s (%(basis)s)")
        % {
            "old": source.name,
            "new": target.name,
            "date": effective_date.strftime("%d/%m/%Y"),
            "basis": basis,
        },
    )
    return merger


@transaction.atomic
def merger_cancel(*, merger: OrganizerMerger, actor=None) -> None:
    """Withdraw a merger recorded by mistake, while it awaits review."""
    merger = OrganizerMerger.objects.select_for_update(of=("self",)).get(pk=merger.pk)
    if merger.is_confirmed:
        raise ValidationError(_("Việc hợp nhất đã được xác nhận, không thể huỷ."))
    source = merger.source
    source.merged_into, source.merged_on, source.merge_basis = None, None, ""
    source.save(update_fields=["merged_into", "merged_on", "merge_basis"])
    audit(
        actor=actor,
        action="organizer.merge.cancel",
        obj=source,
        summary=_("Huỷ ghi nhận %(old)s hợp nhất vào %(new)s")
        % {"old": source.name, "new": merger.target.name},
    )
    merger.delete()


# --- 2. the proposal --------------------------------------------------------------------------


@dataclass
class Row:
    """One object of the merged organizer, its guesses in the receiving one and the default."""

    obj: Unit | Bloc | RoleAssignment
    guesses: list[tuple[object, matching.Guess]] = field(default_factory=list)
    default: str = NEW  # LINK / NEW / NONE (roles: MOVE / KEEP)
    default_target: object | None = None


@dataclass
class Proposal:
    merger: OrganizerMerger
    units: list[Row]
    blocs: list[Row]
    roles: list[Row]
    later_years: list[BlocYear]  # years of A's blocs after the merger (they move to B)


def _items(objs) -> list[matching.Item]:
    return [matching.Item(o.pk, o.code, o.name, o.short_name) for o in objs]


def merger_proposal(*, merger: OrganizerMerger) -> Proposal:
    """What the app proposes for each unit, bloc and role of the merged organizer."""
    source, target, day = merger.source, merger.target, merger.effective_date
    a_units = list(
        Unit.objects.filter(organizer=source)
        .select_related("organizer", "merged_into__organizer")
        .filter(Q(merged_into__isnull=True) | Q(merged_on__gte=day))
        .exclude(archived_at__isnull=False, merged_into__isnull=True)
        .order_by("code")
    )
    b_units = list(Unit.objects.filter(organizer=target, merged_into__isnull=True).order_by("code"))
    a_blocs = list(Bloc.objects.filter(organizer=source).order_by("code"))
    b_blocs = list(Bloc.objects.filter(organizer=target).order_by("code"))
    unit_rows = _rows(a_units, b_units)
    bloc_rows = _rows(a_blocs, b_blocs)
    # What is already linked (a merger reviewed earlier, or done by hand) is shown as such.
    for row in unit_rows:
        if row.obj.merged_into_id:
            row.default, row.default_target = LINK, row.obj.merged_into
    linked = {
        link.predecessor_id: link.successor
        for link in BlocSuccession.objects.filter(predecessor__in=a_blocs).select_related(
            "successor"
        )
    }
    for row in bloc_rows:
        if row.obj.pk in linked:
            row.default, row.default_target = LINK, linked[row.obj.pk]
    roles = RoleAssignment.objects.filter(
        Q(organizer=source) | Q(bloc__organizer=source) | Q(unit__organizer=source)
    ).select_related("user", "organizer", "bloc", "unit")
    role_rows = [Row(obj=r, default=MOVE) for r in roles.order_by("user__username", "role")]
    later = list(
        BlocYear.objects.filter(bloc__organizer=source, year__gt=day.year)
        .select_related("bloc")
        .order_by("bloc__code", "year")
    )
    return Proposal(merger, unit_rows, bloc_rows, role_rows, later)


def _rows(sources, targets) -> list[Row]:
    by_id = {t.pk: t for t in targets}
    guesses = matching.match_all(_items(sources), _items(targets))
    chosen = matching.defaults(guesses)
    rows = []
    for obj in sources:
        row = Row(obj=obj, guesses=[(by_id[g.target_id], g) for g in guesses[obj.pk]])
        if chosen[obj.pk] is not None:
            row.default, row.default_target = LINK, by_id[chosen[obj.pk]]
        rows.append(row)
    return rows


# --- 3. confirmation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    action: str  # LINK / NEW / NONE
    target_id: int | None = None


@transaction.atomic
def merger_confirm(
    *,
    merger: OrganizerMerger,
    units: dict[int, Choice],
    blocs: dict[int, Choice],
    roles: dict[int, str] | None = None,
    actor=None,
) -> OrganizerMerger:
    """Record the operator's choices as lineage dated at the merger. All or nothing."""
    merger = (
        OrganizerMerger.objects.select_for_update(of=("self",))
        .select_related("source", "target")
        .get(pk=merger.pk)
    )
    if merger.is_confirmed:
        raise ValidationError(_("Việc hợp nhất này đã được xác nhận trước đó."))
    source, target, day, basis = merger.source, merger.target, merger.effective_date, merger.basis
    user = _user(actor)
    try:
        with transaction.atomic():
            unit_map, unit_counts = _confirm_units(source, target, day, basis, units, user)
            bloc_map, bloc_counts = _confirm_blocs(source, target, day, basis, blocs, actor)
            moved_years = _move_later_years(source, day, bloc_map, unit_map)
            moved_roles = _move_roles(source, target, roles or {}, unit_map, bloc_map, actor)
    except IntegrityError:
        raise ValidationError(
            _("Dữ liệu vừa được người khác thay đổi cùng lúc; chưa lưu gì, vui lòng xem lại.")
        ) from None
    merger.status = OrganizerMerger.Status.CONFIRMED
    merger.confirmed_by = user
    merger.confirmed_at = timezone.now()
    merger.summary = {
        "units": unit_counts,
        "blocs": bloc_counts,
        "years_moved": moved_years,
        "roles_moved": moved_roles,
    }
    merger.save(update_fields=["status", "confirmed_by", "confirmed_at", "summary"])
    audit(
        actor=actor,
        action="organizer.merge.confirm",
        obj=source,
        summary=_(
            "Xác nhận hợp nhất %(old)s vào %(new)s: %(linked)s đơn vị nối vào đơn vị có sẵn, "
            "%(created)s đơn vị mới, %(blocs)s khối kế tục"
        )
        % {
            "old": source.name,
            "new": target.name,
            "linked": unit_counts["linked"],
            "created": unit_counts["created"],
            "blocs": bloc_counts["linked"] + bloc_counts["created"],
        },
        data=merger.summary,
    )
    return merger


def _free_code(code: str, taken: set[str], suffix: str) -> str:
    if code not in taken:
        return code
    candidate = f"{code}-{suffix}"[:60]
    n = 2
    while candidate in taken:
        candidate = f"{code}-{suffix}-{n}"[:60]
        n += 1
    return candidate


def _confirm_units(source, target, day, basis, choices, user) -> tuple[dict[int, int], dict]:
    """Each of A's units → its counterpart in B, a new unit of B, or archived. In bulk: a
    national-scale province (200 units) takes a handful of statements, not one per unit."""
    a_units = {
        u.pk: u
        for u in Unit.objects.select_for_update(of=("self",))
        .filter(organizer=source)
        .prefetch_related("former_names")
    }
    b_units = {u.pk: u for u in Unit.objects.filter(organizer=target, merged_into__isnull=True)}
    b_codes = set(Unit.objects.filter(organizer=target).values_list("code", flat=True))
    before = day - dt.timedelta(days=1)
    unit_map: dict[int, int] = {}
    counts = {"linked": 0, "created": 0, "archived": 0, "already": 0}
    events: list[UnitEvent] = []
    now = timezone.now()
    archived: list[Unit] = []
    linked: list[tuple[Unit, Unit]] = []  # (A's unit, B's unit: existing or new)
    new_units: list[Unit] = []
    for unit_id, choice in choices.items():
        unit = a_units.get(unit_id)
        if unit is None:
            raise ValidationError(_("Đơn vị không thuộc tỉnh được hợp nhất."))
        if unit.merged_into_id:
            if choice.action == LINK and choice.target_id == unit.merged_into_id:
                unit_map[unit.pk] = unit.merged_into_id
                counts["already"] += 1
                continue
            raise ValidationError(
                _("Đơn vị %(name)s (mã %(code)s) đã được hợp nhất trước đó.")
                % {"name": unit.name, "code": unit.code}
            )
        if choice.action == NONE:
            if not unit.archived_at:
                unit.archived_at = now
                archived.append(unit)
                events.append(
                    UnitEvent(
                        unit=unit,
                        kind=UnitEvent.Kind.ARCHIVED,
                        effective_date=day,
                        basis=basis,
                        recorded_by=user,
                    )
                )
                counts["archived"] += 1
            continue
        if choice.action == LINK:
            into = b_units.get(choice.target_id)
            if into is None:
                raise ValidationError(
                    _("Đơn vị tiếp nhận của %(name)s phải là đơn vị đang hoạt động của %(org)s.")
                    % {"name": unit.name, "org": target.name}
                )
            counts["linked"] += 1
        elif choice.action == NEW:
            code = _free_code(unit.code, b_codes, source.code)
            b_codes.add(code)
            into = Unit(
                organizer=target,
                code=code,
                name=unit.name_on(before),
                short_name=unit.short_name_on(before),
                head_title=unit.head_title,
            )
            new_units.append(into)
            counts["created"] += 1
        else:
            raise ValidationError(_("Lựa chọn không hợp lệ."))
        linked.append((unit, into))
    if new_units:
        Unit.objects.bulk_create(new_units, batch_size=1000)  # PostgreSQL returns the ids
        events += [
            UnitEvent(
                unit=into,
                kind=UnitEvent.Kind.CREATED,
                effective_date=day,
                new_name=into.name,
                basis=basis,
                recorded_by=user,
            )
            for into in new_units
        ]
    for unit, into in linked:
        unit.merged_into, unit.merged_on = into, day
        unit.archived_at = unit.archived_at or now
        events += UnitEvent.merge_pair(unit=unit, into=into, day=day, basis=basis, user=user)
        unit_map[unit.pk] = into.pk
    if linked:
        Unit.objects.bulk_update(
            [unit for unit, _into in linked], ["merged_into", "merged_on", "archived_at"]
        )
    if archived:
        Unit.objects.bulk_update(archived, ["archived_at"])
    UnitEvent.objects.bulk_create(events, batch_size=1000)
    return unit_map, counts


def _confirm_blocs(source, target, day, basis, choices, actor) -> tuple[dict[int, int], dict]:
    a_blocs = {b.pk: b for b in Bloc.objects.filter(organizer=source)}
    b_blocs = {b.pk: b for b in Bloc.objects.filter(organizer=target)}
    b_codes = {b.code for b in b_blocs.values()}
    existing = set(
        BlocSuccession.objects.filter(predecessor__in=a_blocs.keys()).values_list(
            "predecessor_id", "successor_id"
        )
    )
    bloc_map: dict[int, int] = {}
    counts = {"linked": 0, "created": 0, "archived": 0}
    links = []
    for bloc_id, choice in choices.items():
        bloc = a_blocs.get(bloc_id)
        if bloc is None:
            raise ValidationError(_("Khối không thuộc tỉnh được hợp nhất."))
        if choice.action == NONE:
            if not bloc.archived_at:
                bloc.archived_at = timezone.now()
                bloc.save(update_fields=["archived_at"])
                counts["archived"] += 1
            continue
        if choice.action == LINK:
            successor = b_blocs.get(choice.target_id)
            if successor is None:
                raise ValidationError(
                    _("Khối kế tục của %(name)s phải là khối của %(org)s.")
                    % {"name": bloc.name, "org": target.name}
                )
            counts["linked"] += 1
        elif choice.action == NEW:
            code = _free_code(bloc.code, b_codes, source.code)
            b_codes.add(code)
            successor = Bloc.objects.create(
                organizer=target,
                code=code,
                name=_successor_bloc_name(bloc, source, target, day),
                short_name=bloc.short_name,
                kind=bloc.kind,
                level=bloc.level,
                quorum_numerator=bloc.quorum_numerator,
                quorum_denominator=bloc.quorum_denominator,
                quorum_basis=bloc.quorum_basis,
                rotation_policy=bloc.rotation_policy,
                max_vote_rounds=bloc.max_vote_rounds,
                tie_break_rule=bloc.tie_break_rule,
                voting_basis=bloc.voting_basis,
                description=_("Kế tục %(name)s (%(org)s) từ %(date)s.")
                % {"name": bloc.name, "org": source.name, "date": day.strftime("%d/%m/%Y")},
            )
            audit(actor=actor, action="bloc.create", obj=successor, summary=successor.name)
            counts["created"] += 1
        else:
            raise ValidationError(_("Lựa chọn không hợp lệ."))
        bloc_map[bloc.pk] = successor.pk
        if (bloc.pk, successor.pk) not in existing:
            links.append(
                BlocSuccession(
                    predecessor=bloc, successor=successor, effective_date=day, basis=basis
                )
            )
    BlocSuccession.objects.bulk_create(links)
    return bloc_map, counts


def _successor_bloc_name(bloc: Bloc, source: Organizer, target: Organizer, day: dt.date) -> str:
    """The old bloc's name with the old province replaced by the new one, where it names it
    («… UBND tỉnh Sóc Trăng» → «… UBND thành phố Cần Thơ»)."""
    name = bloc.name
    before = day - dt.timedelta(days=1)
    old_title, new_title = source.title_on(before), target.title_on(day)
    if old_title and old_title in name:
        return name.replace(old_title, new_title)
    old, new = source.province, target.province
    if old and new and old in name:
        return name.replace(old, new)
    return name


def _move_later_years(source, day, bloc_map, unit_map) -> int:
    """Years of A's blocs after the merger belong to B: they move to the successor bloc, and
    their members and leaders become B's counterparts. A few statements, whatever the size."""
    later = list(
        BlocYear.objects.select_for_update(of=("self",))
        .filter(bloc__organizer=source, year__gt=day.year)
        .select_related("bloc")
    )
    taken = set(
        BlocYear.objects.filter(bloc_id__in=set(bloc_map.values())).values_list("bloc_id", "year")
    )
    for bloc_year in later:
        successor = bloc_map.get(bloc_year.bloc_id)
        if successor is None:
            raise ValidationError(
                _("Năm %(year)s của %(bloc)s sau ngày hợp nhất cần một khối kế tục.")
                % {"year": bloc_year.year, "bloc": bloc_year.bloc.name}
            )
        if (successor, bloc_year.year) in taken:
            raise ValidationError(
                _(
                    "Khối kế tục đã có năm %(year)s; năm %(year)s của %(bloc)s cần được xử lý "
                    "trước khi xác nhận."
                )
                % {"year": bloc_year.year, "bloc": bloc_year.bloc.name}
            )
        taken.add((successor, bloc_year.year))
        bloc_year.bloc_id = successor
    if later:
        BlocYear.objects.bulk_update(later, ["bloc"])
    if unit_map:
        to_new = Case(
            *[When(unit_id=old, then=Value(new)) for old, new in unit_map.items()],
            output_field=IntegerField(),
        )
        year_ids = [y.pk for y in later]
        for model in (Membership, LeadershipTerm):
            if year_ids:
                model.objects.filter(bloc_year_id__in=year_ids, unit_id__in=unit_map).update(
                    unit_id=to_new
                )
        RotationSlot.objects.filter(bloc_id__in=bloc_map.values(), unit_id__in=unit_map).update(
            unit_id=to_new
        )
    return len(later)


def _move_roles(source, target, choices, unit_map, bloc_map, actor) -> int:
    moved = 0
    roles = RoleAssignment.objects.filter(
        Q(organizer=source) | Q(bloc__organizer=source) | Q(unit__organizer=source)
    ).select_related("user")
    for role in roles:
        if choices.get(role.pk, KEEP) != MOVE:
            continue
        scope = {}
        if role.role == RoleAssignment.Role.OFFICE:
            scope = {"organizer_id": target.pk}
        elif role.role == RoleAssignment.Role.SECRETARY and role.bloc_id in bloc_map:
            scope = {"bloc_id": bloc_map[role.bloc_id]}
        elif role.role == RoleAssignment.Role.DELEGATE and role.unit_id in unit_map:
            scope = {"unit_id": unit_map[role.unit_id]}
        if not scope:
            continue
        if RoleAssignment.objects.filter(user=role.user, role=role.role, **scope).exists():
            # The user already holds the role in the receiving province, which also gives
            # access to the merged province's records: the old assignment is redundant.
            role.delete()
        else:
            RoleAssignment.objects.filter(pk=role.pk).update(
                **({"organizer_id": None, "bloc_id": None, "unit_id": None} | scope)
            )
        moved += 1
    if moved:
        audit(
            actor=actor,
            action="organizer.merge.roles",
            obj=source,
            summary=_("Chuyển %(n)s phân quyền sang %(org)s") % {"n": moved, "org": target.name},
        )
    return moved
