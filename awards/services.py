"""Award operations. The meetings app calls only the functions in the "for meetings" section.

Every operation is keyword-only, atomic and audited; rule violations raise ValidationError with
a Vietnamese message and save nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, LeadershipTerm, Membership, Unit
from blocs.services import audit

from .access import require_act_for, require_run, require_sheet_mode
from .models import (
    Award,
    AwardQuota,
    AwardTitle,
    Covenant,
    CovenantSignature,
    CovenantTarget,
    Criterion,
    CrossScore,
    Deadline,
    Nomination,
    Person,
    Registration,
    Score,
    ScoreSheet,
    ScoringScheme,
)

TWO_PLACES = Decimal("0.01")

# --- for meetings ---------------------------------------------------------------------------


def nominations_for_poll(*, bloc_year: BlocYear, award_title: AwardTitle) -> list[Nomination]:
    """The current candidate list for an honour vote on `award_title` in `bloc_year`."""
    return list(
        Nomination.objects.filter(
            bloc_year=bloc_year, award_title=award_title, status=Nomination.Status.CANDIDATE
        )
        .select_related("unit")
        .order_by(F("rank").asc(nulls_last=True), "id")  # hand-added candidates (no rank) last
    )


@transaction.atomic
def award_propose_from_poll(
    *,
    bloc_year: BlocYear,
    award_title: AwardTitle,
    unit_ids: list[int],
    source_label: str,
    source_url: str = "",
    proposed_on: dt.date | None = None,
    actor=None,
) -> list[Award]:
    """Create PROPOSED awards for the winners of a vote. Idempotent per (year, title, unit).

    Refuses (and saves nothing) when a winner is not a member that year or when the new
    awards would exceed the bloc-year's quota for the title.
    """
    members = _member_ids(bloc_year)
    outsiders = [u for u in unit_ids if u not in members]
    if outsiders:
        raise ValidationError(
            _(
                "Không thể đề nghị khen thưởng cho đơn vị không phải thành viên của khối năm %(year)s."
            )
            % {"year": bloc_year.year}
        )
    existing = set(
        Award.objects.filter(
            bloc_year=bloc_year,
            award_title=award_title,
            unit_id__in=unit_ids,
            person_name="",
            collective_name="",
        ).values_list("unit_id", flat=True)
    )
    new_ids = [u for u in dict.fromkeys(unit_ids) if u not in existing]
    _check_quota(bloc_year=bloc_year, award_title=award_title, collectives=len(new_ids))
    awards = []
    for unit_id in unit_ids:
        award, created = Award.objects.get_or_create(
            bloc_year=bloc_year,
            award_title=award_title,
            unit_id=unit_id,
            person_name="",
            collective_name="",
            defaults={
                "source_label": source_label,
                "source_url": source_url,
                "proposed_on": proposed_on,
                "year": bloc_year.year,
            },
        )
        if created:
            audit(
                actor=actor, action="award.propose", obj=award, summary=f"{award} – {source_label}"
            )
        awards.append(award)
    return awards


# --- helpers --------------------------------------------------------------------------------


def _member_ids(bloc_year: BlocYear) -> set[int]:
    return set(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))


def _check_member(bloc_year: BlocYear, unit: Unit | int, field: str | None = None) -> None:
    unit_id = unit if isinstance(unit, int) else unit.pk
    if not Membership.objects.filter(bloc_year=bloc_year, unit_id=unit_id).exists():
        message = _("Đơn vị không phải thành viên của khối năm %(year)s.") % {
            "year": bloc_year.year
        }
        raise ValidationError({field: message} if field else message)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- quotas ---------------------------------------------------------------------------------


@transaction.atomic
def quota_set(
    *,
    bloc_year: BlocYear,
    award_title: AwardTitle,
    max_count: int,
    max_individuals: int | None = None,
    eligibility: str = AwardQuota.Eligibility.ANY,
    top_n: int | None = None,
    basis: str = "",
    actor=None,
) -> AwardQuota:
    """Create or change the quota of one title. It cannot go below what is already proposed."""
    if (
        eligibility in (AwardQuota.Eligibility.TOP_N, AwardQuota.Eligibility.REGISTERED_TOP_N)
        and not top_n
    ):
        raise ValidationError(
            {"top_n": _("Cần nhập N khi điều kiện là xếp hạng trong N vị trí đầu.")}
        )
    collectives, individuals = _award_counts(bloc_year, award_title)
    if max_count < collectives:
        raise ValidationError(
            {
                "max_count": _("Đã có %(n)d tập thể được đề nghị/tặng; chỉ tiêu không thể nhỏ hơn.")
                % {"n": collectives}
            }
        )
    if max_individuals is not None and max_individuals < individuals:
        raise ValidationError(
            {
                "max_individuals": _(
                    "Đã có %(n)d cá nhân được đề nghị/tặng; chỉ tiêu không thể nhỏ hơn."
                )
                % {"n": individuals}
            }
        )
    quota, _created = AwardQuota.objects.update_or_create(
        bloc_year=bloc_year,
        award_title=award_title,
        defaults={
            "max_count": max_count,
            "max_individuals": max_individuals,
            "eligibility": eligibility,
            "top_n": top_n
            if eligibility
            in (AwardQuota.Eligibility.TOP_N, AwardQuota.Eligibility.REGISTERED_TOP_N)
            else None,
            "basis": _clean_text(basis),
        },
    )
    audit(
        actor=actor,
        action="quota.set",
        obj=bloc_year,
        summary=f"Chỉ tiêu {award_title} năm {bloc_year.year}: {max_count} tập thể"
        + (f", {max_individuals} cá nhân" if max_individuals is not None else ""),
    )
    return quota


def _award_counts(bloc_year: BlocYear, award_title: AwardTitle) -> tuple[int, int]:
    counts = (
        Award.objects.filter(bloc_year=bloc_year, award_title=award_title)
        .exclude(status=Award.Status.REJECTED)
        .aggregate(
            individuals=Count("pk", filter=~Q(person_name="")),
            collectives=Count("pk", filter=Q(person_name="")),
        )
    )
    return counts["collectives"], counts["individuals"]


def _check_quota(
    *, bloc_year: BlocYear, award_title: AwardTitle, collectives: int = 0, individuals: int = 0
) -> None:
    """Raise if adding awards would exceed the quota. Locks the quota row (one writer at a time)."""
    if not collectives and not individuals:
        return
    quota = (
        AwardQuota.objects.select_for_update()
        .filter(bloc_year=bloc_year, award_title=award_title)
        .first()
    )
    if quota is None:
        return
    have_collectives, have_individuals = _award_counts(bloc_year, award_title)
    if collectives and have_collectives + collectives > quota.max_count:
        raise ValidationError(
            _(
                "Vượt chỉ tiêu: %(title)s năm %(year)s chỉ được tối đa %(max)d tập thể "
                "(đã có %(have)d, thêm %(more)d)."
            )
            % {
                "title": award_title.name,
                "year": bloc_year.year,
                "max": quota.max_count,
                "have": have_collectives,
                "more": collectives,
            }
        )
    if (
        individuals
        and quota.max_individuals is not None
        and have_individuals + individuals > quota.max_individuals
    ):
        raise ValidationError(
            _(
                "Vượt chỉ tiêu: %(title)s năm %(year)s chỉ được tối đa %(max)d cá nhân (đã có %(have)d)."
            )
            % {
                "title": award_title.name,
                "year": bloc_year.year,
                "max": quota.max_individuals,
                "have": have_individuals,
            }
        )


# --- people and awards ----------------------------------------------------------------------


def person_for(*, unit: Unit, full_name: str, position: str = "", gender: str = "") -> Person:
    """The person of `unit` with this name (created if new)."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"person_name": _("Cần nhập họ và tên.")})
    person = Person.objects.filter(unit=unit, full_name__iexact=full_name).order_by("id").first()
    if person is None:
        person = Person.objects.create(
            unit=unit, full_name=full_name, position=_clean_text(position), gender=gender
        )
    return person


@transaction.atomic
def award_create(
    *,
    bloc_year: BlocYear,
    award_title: AwardTitle,
    unit: Unit,
    person_name: str = "",
    person_position: str = "",
    collective_name: str = "",
    source_label: str = "",
    source_url: str = "",
    proposed_on: dt.date | None = None,
    note: str = "",
    actor=None,
) -> Award:
    """Propose an award to a member unit, one of its collectives, or one of its people."""
    person_name = " ".join(person_name.split())
    collective_name = _clean_text(collective_name)
    if person_name and collective_name:
        raise ValidationError(_("Chọn một: cá nhân hoặc tập thể trực thuộc."))
    if person_name and not award_title.for_individuals:
        raise ValidationError(
            {"award_title": _("%(title)s chỉ dành cho tập thể.") % {"title": award_title.name}}
        )
    if not person_name and not award_title.for_collectives:
        raise ValidationError(
            {"award_title": _("%(title)s chỉ dành cho cá nhân.") % {"title": award_title.name}}
        )
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError(
            {
                "unit": _(
                    "Không thể khen thưởng cho đơn vị không phải thành viên của khối năm %(year)s."
                )
                % {"year": bloc_year.year}
            }
        )
    person = None
    if person_name:
        person = person_for(unit=unit, full_name=person_name, position=person_position)
        _check_person_free(person=person, award_title=award_title, year=bloc_year.year)
    if Award.objects.filter(
        bloc_year=bloc_year,
        award_title=award_title,
        unit=unit,
        person_name=person_name,
        collective_name=collective_name,
    ).exists():
        raise ValidationError(
            _("Đã có đề nghị %(title)s cho %(recipient)s trong năm này.")
            % {"title": award_title.name, "recipient": person_name or collective_name or unit.name}
        )
    _check_quota(
        bloc_year=bloc_year,
        award_title=award_title,
        collectives=0 if person_name else 1,
        individuals=1 if person_name else 0,
    )
    try:
        with transaction.atomic():
            award = Award.objects.create(
                bloc_year=bloc_year,
                award_title=award_title,
                unit=unit,
                person=person,
                person_name=person_name,
                person_position=_clean_text(person_position),
                collective_name=collective_name,
                source_label=_clean_text(source_label),
                source_url=source_url,
                proposed_on=proposed_on,
                note=_clean_text(note),
                year=bloc_year.year,
            )
    except IntegrityError:
        # A concurrent request won the race for the same person, title and year.
        raise ValidationError(
            _("%(person)s đã được đề nghị hoặc tặng %(title)s trong năm %(year)s.")
            % {"person": person_name, "title": award_title.name, "year": bloc_year.year}
        ) from None
    audit(actor=actor, action="award.propose", obj=award, summary=str(award))
    return award


def _check_person_free(
    *, person: Person, award_title: AwardTitle, year: int, exclude_pk: int | None = None
) -> None:
    clash = Award.objects.filter(person=person, award_title=award_title, year=year).exclude(
        status=Award.Status.REJECTED
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _(
                "Một người không thể nhận hai lần %(title)s trong cùng năm %(year)s: %(person)s đã có."
            )
            % {"title": award_title.name, "year": year, "person": person.full_name}
        )


@transaction.atomic
def award_record_decision(
    *,
    awards: Iterable[Award],
    decision_number: str,
    decision_date: dt.date,
    decision_issuer: str,
    actor=None,
) -> list[Award]:
    """Record the approving decision (Quyết định): the awards become final."""
    decision_number = _clean_text(decision_number)
    decision_issuer = _clean_text(decision_issuer)
    errors = {}
    if not decision_number:
        errors["decision_number"] = _("Cần nhập số quyết định.")
    if not decision_date:
        errors["decision_date"] = _("Cần nhập ngày quyết định.")
    if not decision_issuer:
        errors["decision_issuer"] = _("Cần nhập cơ quan, người ký quyết định.")
    if errors:
        raise ValidationError(errors)
    awards = list(
        Award.objects.select_for_update(of=("self",))  # not the title's or the units' rows
        .filter(pk__in=[a.pk for a in awards])
        .select_related("award_title", "unit")
    )
    if not awards:
        raise ValidationError(_("Chưa chọn đề nghị nào."))
    for award in awards:
        if award.status == Award.Status.REJECTED:
            raise ValidationError(
                _("%(recipient)s đã bị từ chối, không thể ghi quyết định.")
                % {"recipient": award.recipient_label}
            )
        if decision_date.year < award.year:
            raise ValidationError(
                {
                    "decision_date": _("Ngày quyết định không thể trước năm thi đua %(year)s.")
                    % {"year": award.year}
                }
            )
    for award in awards:
        award.status = Award.Status.FINAL
        award.decision_number = decision_number
        award.decision_date = decision_date
        award.decision_issuer = decision_issuer
        award.save(update_fields=["status", "decision_number", "decision_date", "decision_issuer"])
        audit(
            actor=actor,
            action="award.decision",
            obj=award,
            summary=f"{award} – QĐ {decision_number} ngày {decision_date:%d/%m/%Y}",
        )
    return awards


@transaction.atomic
def award_reject(*, award: Award, reason: str, actor=None) -> Award:
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do.")})
    if award.status == Award.Status.FINAL:
        raise ValidationError(_("Khen thưởng đã có quyết định, không thể từ chối."))
    award.status = Award.Status.REJECTED
    award.note = (award.note + "\n" if award.note else "") + f"Không được công nhận: {reason}"
    award.save(update_fields=["status", "note"])
    audit(actor=actor, action="award.reject", obj=award, summary=f"{award} – {reason}")
    return award


# --- nominations ----------------------------------------------------------------------------


def eligible_candidates(
    *, bloc_year: BlocYear, award_title: AwardTitle, ranking=None
) -> list[dict]:
    """Member units eligible for `award_title` under its quota rule, best ranked first.

    Each item: {"unit": Unit, "rank": int | None, "total": Decimal | None, "why": str}.
    """
    from .ranking import ranking_for

    quota = AwardQuota.objects.filter(bloc_year=bloc_year, award_title=award_title).first()
    eligibility = quota.eligibility if quota else AwardQuota.Eligibility.ANY
    if ranking is None:
        ranking = ranking_for(bloc_year)
    if quota and quota.needs_ranking and (ranking is None or not ranking.final):
        raise ValidationError(
            _("Điều kiện đề cử dựa trên xếp hạng: cần khóa kết quả chấm điểm trước.")
        )
    registered = set()
    if quota and quota.needs_registration:
        registered = set(
            Registration.objects.filter(bloc_year=bloc_year, titles=award_title).values_list(
                "unit_id", flat=True
            )
        )
    by_unit = {row.unit.pk: row for row in ranking.rows} if ranking else {}
    members = list(
        Unit.objects.members_of(bloc_year).prefetch_related("former_names").order_by("name")
    )
    result = []
    for unit in members:
        row = by_unit.get(unit.pk)
        why = []
        if quota and quota.needs_registration:
            if unit.pk not in registered:
                continue
            why.append("đã đăng ký")
        if quota and quota.needs_ranking:
            if row is None or row.rank > quota.top_n:
                continue
            why.append(f"xếp hạng {row.rank}/{quota.top_n}")
        elif row is not None:
            why.append(f"xếp hạng {row.rank}")
        result.append(
            {
                "unit": unit,
                "rank": row.rank if row else None,
                "total": row.total if row else None,
                "why": ", ".join(why) or eligibility_label(eligibility),
            }
        )
    result.sort(key=lambda c: (c["rank"] is None, c["rank"] or 0, c["unit"].name))
    return result


def eligibility_label(value: str) -> str:
    return str(dict(AwardQuota.Eligibility.choices).get(value, ""))


@transaction.atomic
def nominations_generate(
    *, bloc_year: BlocYear, award_title: AwardTitle, actor=None
) -> list[Nomination]:
    """Add the eligible units as candidates (ranked); manual candidates and withdrawals are kept."""
    candidates = eligible_candidates(bloc_year=bloc_year, award_title=award_title)
    if not candidates:
        raise ValidationError(
            _("Không có đơn vị nào đủ điều kiện đề cử %(title)s.") % {"title": award_title.name}
        )
    existing = {
        n.unit_id: n
        for n in Nomination.objects.filter(
            bloc_year=bloc_year, award_title=award_title, person_name=""
        )
    }
    created = []
    for c in candidates:
        source = (
            "Xếp hạng chấm điểm"
            + (f": hạng {c['rank']} ({c['total']} điểm)" if c["rank"] else "")
            + f"; {c['why']}"
        )
        n = existing.get(c["unit"].pk)
        if n is None:
            n = Nomination.objects.create(
                bloc_year=bloc_year,
                award_title=award_title,
                unit=c["unit"],
                rank=c["rank"],
                source=source[:255],
                created_by=_user(actor),
            )
            created.append(n)
        elif n.rank != c["rank"]:
            n.rank = c["rank"]
            n.save(update_fields=["rank"])
    audit(
        actor=actor,
        action="nomination.generate",
        obj=bloc_year,
        summary=f"Lập danh sách đề cử {award_title} năm {bloc_year.year}: thêm {len(created)} đơn vị",
    )
    return created


@transaction.atomic
def nomination_add(
    *,
    bloc_year: BlocYear,
    award_title: AwardTitle,
    unit: Unit,
    reason: str,
    person_name: str = "",
    person_position: str = "",
    actor=None,
) -> Nomination:
    """The secretary adds a candidate by hand; the reason is recorded."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError(
            {"reason": _("Cần ghi lý do khi thêm đề cử ngoài danh sách xếp hạng.")}
        )
    _check_member(bloc_year, unit, "unit")
    person_name = " ".join(person_name.split())
    if person_name and not award_title.for_individuals:
        raise ValidationError(
            {"award_title": _("%(title)s chỉ dành cho tập thể.") % {"title": award_title.name}}
        )
    if not person_name and not award_title.for_collectives:
        raise ValidationError(
            {"award_title": _("%(title)s chỉ dành cho cá nhân.") % {"title": award_title.name}}
        )
    existing = Nomination.objects.filter(
        bloc_year=bloc_year, award_title=award_title, unit=unit, person_name=person_name
    ).first()
    if existing and existing.status == Nomination.Status.CANDIDATE:
        raise ValidationError(_("Đã có trong danh sách đề cử."))
    if existing:
        return nomination_restore(nomination=existing, reason=reason, actor=actor)
    person = (
        person_for(unit=unit, full_name=person_name, position=person_position)
        if person_name
        else None
    )
    try:
        with transaction.atomic():  # a savepoint: a simultaneous identical add loses cleanly
            nomination = Nomination.objects.create(
                bloc_year=bloc_year,
                award_title=award_title,
                unit=unit,
                person=person,
                person_name=person_name,
                person_position=_clean_text(person_position),
                source="Thư ký bổ sung",
                reason=reason,
                created_by=_user(actor),
            )
    except IntegrityError:
        raise ValidationError(_("Đã có trong danh sách đề cử.")) from None
    audit(
        actor=actor,
        action="nomination.add",
        obj=bloc_year,
        summary=f"Thêm đề cử {nomination}",
        data={"reason": reason},
    )
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, reason: str, actor=None) -> Nomination:
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do khi rút khỏi danh sách đề cử.")})
    if nomination.status == Nomination.Status.WITHDRAWN:
        raise ValidationError(_("Đề cử đã được rút trước đó."))
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.reason = reason
    nomination.save(update_fields=["status", "reason"])
    audit(
        actor=actor,
        action="nomination.withdraw",
        obj=nomination.bloc_year,
        summary=f"Rút đề cử {nomination}",
        data={"reason": reason},
    )
    return nomination


@transaction.atomic
def nomination_restore(*, nomination: Nomination, reason: str, actor=None) -> Nomination:
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do.")})
    nomination.status = Nomination.Status.CANDIDATE
    nomination.reason = reason
    nomination.save(update_fields=["status", "reason"])
    audit(
        actor=actor,
        action="nomination.restore",
        obj=nomination.bloc_year,
        summary=f"Đưa lại vào danh sách đề cử {nomination}",
        data={"reason": reason},
    )
    return nomination


# --- covenant -------------------------------------------------------------------------------


def covenant_current(bloc_year: BlocYear) -> Covenant | None:
    return (
        Covenant.objects.filter(bloc_year=bloc_year)
        .exclude(status=Covenant.Status.SUPERSEDED)
        .first()
    )


def _leader_unit(bloc_year: BlocYear) -> Unit | None:
    term = (
        LeadershipTerm.objects.filter(bloc_year=bloc_year, role=LeadershipTerm.Role.LEADER)
        .select_related("unit")
        .first()
    )
    return term.unit if term else None


@transaction.atomic
def covenant_create(
    *, bloc_year: BlocYear, title: str, plan_reference: str = "", content: str = "", actor=None
) -> Covenant:
    if covenant_current(bloc_year):
        raise ValidationError(
            _("Năm thi đua đã có giao ước; hãy sửa dự thảo hoặc tạo phiên bản mới.")
        )
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("Cần nhập tiêu đề.")})
    covenant = Covenant.objects.create(
        bloc_year=bloc_year,
        title=title,
        plan_reference=_clean_text(plan_reference) or bloc_year.plan_reference,
        content=content.strip(),
        drafted_by_unit=_leader_unit(bloc_year),
        created_by=_user(actor),
    )
    audit(actor=actor, action="covenant.create", obj=covenant, summary=str(covenant))
    return covenant


@transaction.atomic
def covenant_copy_previous(*, bloc_year: BlocYear, actor=None) -> Covenant:
    """Start this year's covenant as a copy of the latest earlier year's (its newest version)."""
    if covenant_current(bloc_year):
        raise ValidationError(_("Năm thi đua đã có giao ước."))
    source = (
        Covenant.objects.filter(bloc_year__bloc=bloc_year.bloc, bloc_year__year__lt=bloc_year.year)
        .order_by("-bloc_year__year", "-version")
        .first()
    )
    if source is None:
        raise ValidationError(_("Không có giao ước của năm trước để sao chép."))
    old_year = str(source.bloc_year.year)
    covenant = Covenant.objects.create(
        bloc_year=bloc_year,
        title=source.title.replace(old_year, str(bloc_year.year)),
        plan_reference=bloc_year.plan_reference,
        content=source.content.replace(old_year, str(bloc_year.year)),
        drafted_by_unit=_leader_unit(bloc_year),
        change_note=f"Sao chép từ giao ước năm {old_year} (phiên bản {source.version}).",
        created_by=_user(actor),
    )
    _copy_targets(source, covenant)
    audit(actor=actor, action="covenant.copy", obj=covenant, summary=f"{covenant} ← năm {old_year}")
    return covenant


def _copy_targets(source: Covenant, target: Covenant) -> None:
    CovenantTarget.objects.bulk_create(
        CovenantTarget(
            covenant=target,
            position=t.position,
            text=t.text,
            measurable=t.measurable,
            target_value=t.target_value,
            measure_unit=t.measure_unit,
        )
        for t in source.targets.all()
    )


def _require_draft(covenant: Covenant) -> None:
    if covenant.status != Covenant.Status.DRAFT:
        raise ValidationError(
            _("Giao ước đã khóa (đã ký đủ); muốn thay đổi hãy tạo phiên bản mới.")
        )


@transaction.atomic
def covenant_update(
    *, covenant: Covenant, title: str, plan_reference: str, content: str, actor=None
) -> Covenant:
    covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
    _require_draft(covenant)
    if covenant.signatures.exists():
        raise ValidationError(_("Đã có đơn vị ký; không thể sửa nội dung. Hãy tạo phiên bản mới."))
    covenant.title = _clean_text(title) or covenant.title
    covenant.plan_reference = _clean_text(plan_reference)
    covenant.content = content.strip()
    covenant.save(update_fields=["title", "plan_reference", "content"])
    audit(actor=actor, action="covenant.edit", obj=covenant, summary=str(covenant))
    return covenant


@transaction.atomic
def covenant_target_add(
    *,
    covenant: Covenant,
    text: str,
    measurable: bool = False,
    target_value: Decimal | None = None,
    measure_unit: str = "",
    actor=None,
) -> CovenantTarget:
    covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
    _require_draft(covenant)
    if covenant.signatures.exists():
        raise ValidationError(_("Đã có đơn vị ký; không thể sửa chỉ tiêu. Hãy tạo phiên bản mới."))
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Cần nhập nội dung chỉ tiêu.")})
    if measurable and target_value is None:
        raise ValidationError({"target_value": _("Chỉ tiêu đo được cần có giá trị.")})
    position = (
        covenant.targets.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    target = CovenantTarget.objects.create(
        covenant=covenant,
        position=position,
        text=text,
        measurable=measurable,
        target_value=target_value if measurable else None,
        measure_unit=_clean_text(measure_unit),
    )
    audit(actor=actor, action="covenant.target.add", obj=covenant, summary=text)
    return target


@transaction.atomic
def covenant_target_remove(*, target: CovenantTarget, actor=None) -> None:
    covenant = Covenant.objects.select_for_update().get(pk=target.covenant_id)
    _require_draft(covenant)
    if covenant.signatures.exists():
        raise ValidationError(_("Đã có đơn vị ký; không thể sửa chỉ tiêu. Hãy tạo phiên bản mới."))
    audit(actor=actor, action="covenant.target.remove", obj=covenant, summary=target.text)
    target.delete()


@transaction.atomic
def covenant_sign(
    *,
    covenant: Covenant,
    unit: Unit,
    representative_name: str,
    representative_position: str,
    signed_on: dt.date,
    actor=None,
) -> CovenantSignature:
    """Record a member unit's signature; the covenant locks once every member has signed."""
    covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
    _require_draft(covenant)
    _check_member(covenant.bloc_year, unit, "unit")
    errors = {}
    if not _clean_text(representative_name):
        errors["representative_name"] = _("Cần nhập họ tên người ký.")
    if not _clean_text(representative_position):
        errors["representative_position"] = _("Cần nhập chức vụ người ký.")
    if errors:
        raise ValidationError(errors)
    if CovenantSignature.objects.filter(covenant=covenant, unit=unit).exists():
        raise ValidationError({"unit": _("Đơn vị đã ký giao ước này.")})
    signature = CovenantSignature.objects.create(
        covenant=covenant,
        unit=unit,
        representative_name=_clean_text(representative_name),
        representative_position=_clean_text(representative_position),
        signed_on=signed_on,
        recorded_by=_user(actor),
    )
    audit(
        actor=actor,
        action="covenant.sign",
        obj=covenant,
        summary=f"{unit.name} ký: {signature.representative_name}, {signature.representative_position}",
    )
    members = _member_ids(covenant.bloc_year)
    signed = set(covenant.signatures.values_list("unit_id", flat=True))
    if members and members <= signed:
        covenant.status = Covenant.Status.LOCKED
        covenant.locked_at = timezone.now()
        covenant.save(update_fields=["status", "locked_at"])
        audit(
            actor=actor,
            action="covenant.lock",
            obj=covenant,
            summary=f"{covenant}: đủ {len(members)} đơn vị ký",
        )
    return signature


@transaction.atomic
def covenant_revise(*, covenant: Covenant, change_note: str, actor=None) -> Covenant:
    """A change to a covenant makes a new draft version; the old one is kept, superseded."""
    covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
    if covenant.status == Covenant.Status.SUPERSEDED:
        raise ValidationError(_("Phiên bản này đã được thay thế."))
    change_note = _clean_text(change_note)
    if not change_note:
        raise ValidationError({"change_note": _("Cần ghi nội dung thay đổi.")})
    covenant.status = Covenant.Status.SUPERSEDED
    covenant.save(update_fields=["status"])
    new = Covenant.objects.create(
        bloc_year=covenant.bloc_year,
        version=covenant.version + 1,
        previous=covenant,
        title=covenant.title,
        plan_reference=covenant.plan_reference,
        content=covenant.content,
        drafted_by_unit=covenant.drafted_by_unit,
        change_note=change_note,
        created_by=_user(actor),
    )
    _copy_targets(covenant, new)
    audit(actor=actor, action="covenant.revise", obj=new, summary=f"{new}: {change_note}")
    return new


# --- registration ---------------------------------------------------------------------------


@transaction.atomic
def registration_save(
    *,
    bloc_year: BlocYear,
    unit: Unit,
    titles: Iterable[AwardTitle],
    commitments: str,
    registered_on: dt.date | None = None,
    actor=None,
) -> Registration:
    _check_member(bloc_year, unit, "unit")
    titles = list(titles)
    wrong = [
        t.name
        for t in titles
        if not t.for_collectives
        or (t.organizer_id and t.organizer_id != bloc_year.bloc.organizer_id)
    ]
    if wrong:
        raise ValidationError(
            {"titles": _("Không đăng ký được: %(titles)s.") % {"titles": ", ".join(wrong)}}
        )
    if not titles and not _clean_text(commitments):
        raise ValidationError(_("Cần chọn danh hiệu đăng ký hoặc ghi nội dung cam kết."))
    registration, created = Registration.objects.update_or_create(
        bloc_year=bloc_year,
        unit=unit,
        defaults={
            "commitments": commitments.strip(),
            "recorded_by": _user(actor),
            "registered_on": registered_on or timezone.localdate(),
        },
    )
    registration.titles.set(titles)
    audit(
        actor=actor,
        action="registration.save",
        obj=bloc_year,
        summary=f"{unit.name} đăng ký: " + (", ".join(t.name for t in titles) or "(chỉ cam kết)"),
    )
    return registration


# --- scoring: the criteria table ------------------------------------------------------------


def scheme_for(bloc_year: BlocYear, *, create: bool = False) -> ScoringScheme | None:
    scheme = ScoringScheme.objects.filter(bloc_year=bloc_year).first()
    if scheme is None and create:
        scheme = ScoringScheme.objects.create(bloc_year=bloc_year)
    return scheme


def _require_editable(scheme: ScoringScheme) -> None:
    if scheme.phase != ScoringScheme.Phase.DRAFT:
        raise ValidationError(_("Đã mở chấm điểm: không thể sửa bảng tiêu chí."))


@transaction.atomic
def scheme_update(*, scheme: ScoringScheme, actor=None, **fields) -> ScoringScheme:
    scheme = ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.phase != ScoringScheme.Phase.DRAFT and (
        fields.get("total_scale") != scheme.total_scale
        or fields.get("bonus_cap") != scheme.bonus_cap
    ):
        raise ValidationError(_("Đã mở chấm điểm: không thể đổi thang điểm."))
    if scheme.phase == ScoringScheme.Phase.LOCKED:
        raise ValidationError(_("Kết quả chấm điểm đã khóa."))
    for name, value in fields.items():
        setattr(scheme, name, value)
    scheme.save()
    audit(
        actor=actor, action="scoring.settings", obj=scheme.bloc_year, summary=f"Thiết lập {scheme}"
    )
    return scheme


def _validate_criterion(*, kind: str, parent: Criterion | None, max_score, target_value) -> None:
    if kind == Criterion.Kind.GROUP and parent is not None:
        raise ValidationError({"parent": _("Nhóm tiêu chí không thuộc nhóm khác.")})
    if kind != Criterion.Kind.GROUP and parent is None:
        raise ValidationError({"parent": _("Tiêu chí phải thuộc một nhóm.")})
    if parent is not None and parent.kind != Criterion.Kind.GROUP:
        raise ValidationError({"parent": _("Chỉ thêm tiêu chí vào nhóm.")})
    if kind != Criterion.Kind.GROUP and (max_score is None or max_score <= 0):
        raise ValidationError({"max_score": _("Điểm tối đa phải lớn hơn 0.")})
    if kind == Criterion.Kind.TARGET and (target_value is None or target_value <= 0):
        raise ValidationError(
            {"target_value": _("Tiêu chí chỉ tiêu – thực hiện cần giá trị chỉ tiêu lớn hơn 0.")}
        )


@transaction.atomic
def criterion_save(
    *,
    scheme: ScoringScheme,
    criterion: Criterion | None = None,
    parent: Criterion | None,
    code: str,
    title: str,
    kind: str,
    max_score,
    target_value=None,
    target_unit: str = "",
    guidance: str = "",
    position: int | None = None,
    actor=None,
) -> Criterion:
    scheme = ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
    _require_editable(scheme)
    if parent is not None and parent.scheme_id != scheme.pk:
        raise ValidationError({"parent": _("Nhóm không thuộc bảng điểm này.")})
    _validate_criterion(kind=kind, parent=parent, max_score=max_score, target_value=target_value)
    if (
        criterion is not None
        and criterion.kind == Criterion.Kind.GROUP
        and kind != Criterion.Kind.GROUP
        and criterion.children.exists()
    ):
        raise ValidationError({"kind": _("Nhóm đang có tiêu chí con.")})
    if criterion is None:
        criterion = Criterion(scheme=scheme)
        if position is None:
            siblings = Criterion.objects.filter(scheme=scheme, parent=parent)
            position = (
                siblings.order_by("-position").values_list("position", flat=True).first() or 0
            ) + 1
    criterion.parent = parent
    criterion.code = _clean_text(code)
    criterion.title = _clean_text(title)
    criterion.kind = kind
    criterion.max_score = max_score if kind != Criterion.Kind.GROUP else 0
    criterion.target_value = target_value if kind == Criterion.Kind.TARGET else None
    criterion.target_unit = _clean_text(target_unit) if kind == Criterion.Kind.TARGET else ""
    criterion.guidance = guidance.strip()
    if position is not None:
        criterion.position = position
    criterion.save()
    audit(actor=actor, action="scoring.criterion", obj=scheme.bloc_year, summary=str(criterion))
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor=None) -> None:
    scheme = ScoringScheme.objects.select_for_update().get(pk=criterion.scheme_id)
    _require_editable(scheme)
    audit(
        actor=actor, action="scoring.criterion.delete", obj=scheme.bloc_year, summary=str(criterion)
    )
    criterion.delete()


@transaction.atomic
def scheme_copy_previous(*, bloc_year: BlocYear, actor=None) -> ScoringScheme:
    """Copy the criteria table (settings and tree) of the latest earlier year with one."""
    scheme = scheme_for(bloc_year, create=True)
    _require_editable(scheme)
    if scheme.criteria.exists():
        raise ValidationError(_("Bảng điểm năm nay đã có tiêu chí; hãy xoá trước khi sao chép."))
    source = (
        ScoringScheme.objects.filter(
            bloc_year__bloc=bloc_year.bloc, bloc_year__year__lt=bloc_year.year
        )
        .filter(criteria__isnull=False)
        .order_by("-bloc_year__year")
        .select_related("bloc_year")
        .first()
    )
    if source is None:
        raise ValidationError(_("Không có bảng điểm của năm trước để sao chép."))
    for name in ("total_scale", "bonus_cap", "method", "trim_count", "tie_break", "basis"):
        setattr(scheme, name, getattr(source, name))
    scheme.save()
    mapping = {}
    old = list(source.criteria.order_by("parent_id", "position", "id"))
    for c in [c for c in old if c.parent_id is None] + [c for c in old if c.parent_id is not None]:
        mapping[c.pk] = Criterion.objects.create(
            scheme=scheme,
            parent=mapping.get(c.parent_id),
            code=c.code,
            title=c.title,
            kind=c.kind,
            max_score=c.max_score,
            target_value=c.target_value,
            target_unit=c.target_unit,
            guidance=c.guidance,
            position=c.position,
        )
    audit(
        actor=actor,
        action="scoring.copy",
        obj=bloc_year,
        summary=f"Sao chép bảng điểm năm {source.bloc_year.year}: {len(mapping)} dòng",
    )
    return scheme


def scheme_check(scheme: ScoringScheme) -> list[str]:
    """Problems that prevent opening the scoring (empty table, totals not on the scale)."""
    problems = []
    criteria = list(scheme.criteria.all())
    leaves = [c for c in criteria if c.kind != Criterion.Kind.GROUP]
    if not leaves:
        problems.append(_("Bảng điểm chưa có tiêu chí."))
    main = sum(
        (
            c.max_score
            for c in leaves
            if c.kind not in (Criterion.Kind.BONUS, Criterion.Kind.PENALTY)
        ),
        Decimal(0),
    )
    if leaves and main != scheme.total_scale:
        problems.append(
            _("Tổng điểm tối đa các tiêu chí (%(sum)s) khác thang điểm chuẩn (%(scale)s).")
            % {"sum": _fmt(main), "scale": _fmt(scheme.total_scale)}
        )
    empty_groups = [
        c
        for c in criteria
        if c.kind == Criterion.Kind.GROUP and not any(x.parent_id == c.pk for x in leaves)
    ]
    for g in empty_groups:
        problems.append(_("Nhóm «%(group)s» chưa có tiêu chí.") % {"group": g})
    return problems


@transaction.atomic
def scoring_open(*, bloc_year: BlocYear, actor=None) -> ScoringScheme:
    """Freeze the criteria and give every member unit a score sheet."""
    scheme = ScoringScheme.objects.select_for_update().get(bloc_year=bloc_year)
    _require_editable(scheme)
    problems = scheme_check(scheme)
    if problems:
        raise ValidationError(problems)
    leaves = list(scheme.criteria.exclude(kind=Criterion.Kind.GROUP))
    units = list(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))
    sheets = ScoreSheet.objects.bulk_create(ScoreSheet(scheme=scheme, unit_id=u) for u in units)
    Score.objects.bulk_create(
        Score(sheet=s, criterion=c, unit_id=s.unit_id, min_value=c.min_value, max_value=c.max_value)
        for s in sheets
        for c in leaves
    )
    scheme.phase = ScoringScheme.Phase.OPEN
    scheme.opened_at = timezone.now()
    scheme.save(update_fields=["phase", "opened_at"])
    audit(
        actor=actor,
        action="scoring.open",
        obj=bloc_year,
        summary=f"Mở chấm điểm: {len(units)} đơn vị, {len(leaves)} tiêu chí",
    )
    return scheme


# --- scoring: sheets ------------------------------------------------------------------------


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    # The sheet's row only: saves of sibling sheets go on in parallel. The scheme's phase needs
    # no lock: it leaves OPEN only in scoring_lock, which locks every sheet it locks (waiting for
    # a save in progress, whose sheet it then sees), and a sheet's status only moves forward.
    sheet = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("scheme", "unit")
        .get(pk=sheet.pk)
    )
    if sheet.status == ScoreSheet.Status.LOCKED:
        raise ValidationError(_("Phiếu chấm điểm đã khóa, không thể sửa."))
    if sheet.scheme.phase != ScoringScheme.Phase.OPEN:
        raise ValidationError(_("Chưa mở chấm điểm hoặc kết quả đã khóa."))
    return sheet


_STEP_STAMP = {
    ScoreSheet.Status.SUBMITTED: "submitted_at",
    ScoreSheet.Status.REVIEWED: "reviewed_at",
    ScoreSheet.Status.LOCKED: "locked_at",
}


def _sheet_step(
    sheet: ScoreSheet,
    *,
    allowed_from: tuple,
    refusal: str,
    actor,
    permit,
    audit_action: str,
    summary,
    to=None,
    check=None,
    apply=None,
) -> ScoreSheet:
    """One step of a sheet's workflow (every service that changes a sheet), in the caller's
    transaction.

    Lock the sheet's row (``_lock_sheet``), run ``check(sheet)`` (rules that come before the
    status), refuse with ``refusal`` unless the status is in ``allowed_from``, then, when an
    actor is given, ``permit(sheet)``: the actor's right to this step (403, as the view shows;
    ``actor=None`` is a call by the system). Run ``apply(sheet)`` (further checks and the score
    writes; its result goes to ``summary``), move to ``to`` with its time stamp, save, and audit
    ``summary(sheet, result)``.
    """
    sheet = _lock_sheet(sheet)
    if check is not None:
        check(sheet)
    if sheet.status not in allowed_from:
        raise ValidationError(refusal)
    if actor is not None:
        permit(sheet)
    result = apply(sheet) if apply is not None else None
    if to is not None:
        stamp = _STEP_STAMP[to]
        sheet.status = to
        setattr(sheet, stamp, timezone.now())
        sheet.save(update_fields=["status", stamp])
    audit(actor=actor, action=audit_action, obj=sheet, summary=summary(sheet, result))
    return sheet


def _mode(actor, mode: str, unit: Unit | None = None):
    """``permit`` for a scoring form: the rule of ``awards.access.sheet_modes``."""
    return lambda sheet: require_sheet_mode(actor, sheet.scheme.bloc_year, sheet, mode, unit)


def _entry_scores(sheet: ScoreSheet, entries: dict) -> list[tuple[Score, object]]:
    """The sheet's score for each entry's criterion id, with the entry."""
    scores = {s.criterion_id: s for s in sheet.scores.select_related("criterion")}
    if not entries.keys() <= scores.keys():
        raise ValidationError(_("Tiêu chí không thuộc bảng điểm."))
    return [(scores[cid], entry) for cid, entry in entries.items()]


def _criterion(score: Score) -> str:
    return score.criterion.code or score.criterion.title


def _check_range(score: Score, value: Decimal, what: str = "self") -> None:
    """`what`: "self", "review" or "cross", the score being typed."""
    names = {
        "self": _("Điểm tiêu chí %(criterion)s"),
        "review": _("Điểm thẩm định tiêu chí %(criterion)s"),
        "cross": _("Điểm chấm chéo tiêu chí %(criterion)s"),
    }
    args = {"what": names[what] % {"criterion": _criterion(score)}}
    if score.criterion.kind == Criterion.Kind.PENALTY and value > 0:
        raise ValidationError(
            _("%(what)s là điểm trừ: nhập số âm, từ %(min)s đến 0 (ví dụ −1).")
            % {**args, "min": _fmt(score.min_value)}
        )
    if value > score.max_value:
        raise ValidationError(
            _("%(what)s vượt quá điểm tối đa (%(max)s).") % {**args, "max": _fmt(score.max_value)}
        )
    if value < score.min_value:
        if score.min_value == 0:
            raise ValidationError(_("%(what)s không được âm.") % args)
        raise ValidationError(
            _("%(what)s vượt quá mức trừ tối đa (%(min)s).")
            % {**args, "min": _fmt(score.min_value)}
        )


def _fmt(value: Decimal) -> str:
    """25.00 → "25", 2.50 → "2,5" (Vietnamese decimal comma)."""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def target_score(criterion: Criterion, actual: Decimal) -> Decimal:
    """Points for a target criterion: proportional to actual / target, capped at the maximum."""
    if actual <= 0:
        return Decimal(0)
    ratio = min(actual / criterion.target_value, Decimal(1))
    return (criterion.max_score * ratio).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def sheet_self_assess(*, sheet: ScoreSheet, entries: dict[int, dict], actor=None) -> ScoreSheet:
    """Save self-assessment. entries: {criterion_id: {"value"|"actual": Decimal|None, "evidence": str}}."""

    def apply(sheet):
        changed = []
        for score, entry in _entry_scores(sheet, entries):
            if score.criterion.kind == Criterion.Kind.TARGET:
                actual = entry.get("actual")
                score.actual_value = actual
                score.self_value = (
                    target_score(score.criterion, actual) if actual is not None else None
                )
            else:
                value = entry.get("value")
                if value is not None:
                    _check_range(score, value)
                score.self_value = value
            score.evidence = _clean_text(entry.get("evidence"))
            changed.append(score)
        Score.objects.bulk_update(changed, ["actual_value", "self_value", "evidence"])
        return len(changed)

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.DRAFT,),
        refusal=_("Phiếu đã nộp; không thể sửa điểm tự chấm."),
        permit=_mode(actor, "self"),
        apply=apply,
        actor=actor,
        audit_action="scoring.self",
        summary=lambda sheet, n: f"{sheet.unit.name} tự chấm {n} tiêu chí",
    )


@transaction.atomic
def sheet_submit(*, sheet: ScoreSheet, actor=None) -> ScoreSheet:
    def apply(sheet):
        missing = (
            sheet.scores.filter(self_value__isnull=True)
            .exclude(criterion__kind__in=[Criterion.Kind.BONUS, Criterion.Kind.PENALTY])
            .count()
        )
        if missing:
            raise ValidationError(_("Còn %(n)d tiêu chí chưa tự chấm.") % {"n": missing})

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.DRAFT,),
        refusal=_("Phiếu đã nộp."),
        permit=lambda sheet: require_act_for(actor, sheet.scheme.bloc_year, sheet.unit_id),
        to=ScoreSheet.Status.SUBMITTED,
        apply=apply,
        actor=actor,
        audit_action="scoring.submit",
        summary=lambda sheet, _n: f"{sheet.unit.name} nộp bảng tự chấm",
    )


def _differs_without_reason(score: Score, value, reason: str, message: str) -> None:
    if value != score.self_value and not reason:
        raise ValidationError(message % {"criterion": _criterion(score)})


@transaction.atomic
def sheet_review(
    *, sheet: ScoreSheet, entries: dict[int, dict], reviewer_unit: Unit | None = None, actor=None
) -> ScoreSheet:
    """Leader review: the agreed score per criterion; each change from self-assessment needs a reason."""

    def check(sheet):
        if sheet.scheme.method != ScoringScheme.Method.LEADER:
            raise ValidationError(_("Khối này chấm chéo; không thẩm định trực tiếp."))

    def apply(sheet):
        if reviewer_unit is not None and reviewer_unit.pk == sheet.unit_id:
            raise ValidationError(_("Đơn vị không tự thẩm định phiếu của mình."))
        changed = []
        for score, entry in _entry_scores(sheet, entries):
            value = entry.get("value")
            reason = _clean_text(entry.get("reason"))
            if value is None:
                value = score.self_value
            if value is not None:
                _check_range(score, value, "review")
            _differs_without_reason(
                score,
                value,
                reason,
                _("Tiêu chí %(criterion)s: cần ghi lý do khi điểm thẩm định khác điểm tự chấm."),
            )
            score.review_value = value
            score.review_reason = reason if value != score.self_value else ""
            changed.append(score)
        Score.objects.bulk_update(changed, ["review_value", "review_reason"])
        return sum(1 for s in changed if s.adjusted)

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.SUBMITTED, ScoreSheet.Status.REVIEWED),
        refusal=_("Đơn vị chưa nộp bảng tự chấm."),
        permit=_mode(actor, "review", reviewer_unit),
        to=ScoreSheet.Status.REVIEWED,
        check=check,
        apply=apply,
        actor=actor,
        audit_action="scoring.review",
        summary=lambda sheet, adjusted: (
            f"Thẩm định {sheet.unit.name}: điều chỉnh {adjusted} tiêu chí"
        ),
    )


@transaction.atomic
def cross_score_save(
    *, sheet: ScoreSheet, scorer_unit: Unit, entries: dict[int, dict], actor=None
) -> ScoreSheet:
    """A member unit scores another unit's sheet. A unit never scores itself."""

    def check(sheet):
        if sheet.scheme.method != ScoringScheme.Method.CROSS:
            raise ValidationError(_("Khối này không chấm chéo."))
        if scorer_unit.pk == sheet.unit_id:
            raise ValidationError(_("Đơn vị không được tự chấm chéo cho chính mình."))
        _check_member(sheet.scheme.bloc_year, scorer_unit)

    def apply(sheet):
        existing = {
            x.score_id: x
            for x in CrossScore.objects.filter(score__sheet=sheet, scorer_unit=scorer_unit)
        }
        create, update = [], []
        for score, entry in _entry_scores(sheet, entries):
            value = entry.get("value")
            if value is None:
                continue
            _check_range(score, value, "cross")
            reason = _clean_text(entry.get("reason"))
            _differs_without_reason(
                score,
                value,
                reason,
                _("Tiêu chí %(criterion)s: cần ghi lý do khi điểm chấm chéo khác điểm tự chấm."),
            )
            x = existing.get(score.pk)
            if x is None:
                create.append(
                    CrossScore(
                        score=score,
                        scorer_unit=scorer_unit,
                        unit_id=sheet.unit_id,
                        min_value=score.min_value,
                        max_value=score.max_value,
                        value=value,
                        reason=reason,
                    )
                )
            else:
                x.value, x.reason = value, reason
                update.append(x)
        CrossScore.objects.bulk_create(create)
        CrossScore.objects.bulk_update(update, ["value", "reason"])

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.SUBMITTED,),
        refusal=_("Chỉ chấm chéo phiếu đã nộp và chưa tổng hợp."),
        permit=_mode(actor, "cross", scorer_unit),
        check=check,
        apply=apply,
        actor=actor,
        audit_action="scoring.cross",
        summary=lambda sheet, _n: f"{scorer_unit.name} chấm chéo {sheet.unit.name}",
    )


def trimmed_mean(values: list[Decimal], trim: int) -> Decimal:
    """Mean after dropping `trim` highest and `trim` lowest values (when enough remain)."""
    ordered = sorted(values)
    if trim and len(ordered) > 2 * trim:
        ordered = ordered[trim:-trim]
    return (sum(ordered, Decimal(0)) / len(ordered)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def cross_scores_apply(*, sheet: ScoreSheet, actor=None) -> ScoreSheet:
    """Turn the cross scores into the agreed score (trimmed mean), with the reason recorded."""

    def apply(sheet):
        trim = sheet.scheme.trim_count
        by_score: dict[int, list[Decimal]] = {}
        for score_id, value in CrossScore.objects.filter(score__sheet=sheet).values_list(
            "score_id", "value"
        ):
            by_score.setdefault(score_id, []).append(value)
        if not by_score:
            raise ValidationError(_("Chưa có đơn vị nào chấm chéo phiếu này."))
        changed = []
        for score in sheet.scores.all():
            values = by_score.get(score.pk)
            score.review_value = trimmed_mean(values, trim) if values else score.self_value
            score.review_reason = ""
            if values and score.review_value != score.self_value:
                # Stored on the score: the reason is written in the bloc's language, Vietnamese.
                dropped = (
                    f", bỏ {trim} cao nhất và {trim} thấp nhất"
                    if trim and len(values) > 2 * trim
                    else ""
                )
                score.review_reason = f"Trung bình chấm chéo của {len(values)} đơn vị{dropped}."
            changed.append(score)
        Score.objects.bulk_update(changed, ["review_value", "review_reason"])
        return (
            CrossScore.objects.filter(score__sheet=sheet).values("scorer_unit").distinct().count()
        )

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.SUBMITTED,),
        refusal=_("Chỉ tổng hợp phiếu đã nộp."),
        permit=lambda sheet: require_run(actor, sheet.scheme.bloc_year),
        to=ScoreSheet.Status.REVIEWED,
        apply=apply,
        actor=actor,
        audit_action="scoring.cross.apply",
        summary=lambda sheet, scorers: (
            f"Tổng hợp chấm chéo {sheet.unit.name}: {scorers} đơn vị chấm"
        ),
    )


@transaction.atomic
def sheet_explain(*, sheet: ScoreSheet, entries: dict[int, str], actor=None) -> ScoreSheet:
    """The unit explains (giải trình) reviewed scores it disagrees with."""

    def apply(sheet):
        changed = []
        for score, text in _entry_scores(sheet, entries):
            score.explanation = _clean_text(text)
            changed.append(score)
        Score.objects.bulk_update(changed, ["explanation"])

    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.REVIEWED,),
        refusal=_("Chỉ giải trình sau khi phiếu đã được thẩm định."),
        permit=_mode(actor, "explain"),
        apply=apply,
        actor=actor,
        audit_action="scoring.explain",
        summary=lambda sheet, _n: f"{sheet.unit.name} giải trình",
    )


@transaction.atomic
def sheet_lock(*, sheet: ScoreSheet, actor=None) -> ScoreSheet:
    return _sheet_step(
        sheet,
        allowed_from=(ScoreSheet.Status.REVIEWED,),
        refusal=_("Chỉ khóa phiếu đã thẩm định."),
        permit=lambda sheet: require_run(actor, sheet.scheme.bloc_year),
        to=ScoreSheet.Status.LOCKED,
        actor=actor,
        audit_action="scoring.lock",
        summary=lambda sheet, _n: f"Khóa điểm {sheet.unit.name}",
    )


def _lock_reviewed_sheets(scheme: ScoringScheme, actor) -> list[ScoreSheet]:
    sheets = list(
        scheme.sheets.select_for_update(of=("self",))
        .filter(status=ScoreSheet.Status.REVIEWED)
        .select_related("unit")
        .order_by("unit__name")
    )
    now = timezone.now()
    for sheet in sheets:
        sheet.status = ScoreSheet.Status.LOCKED
        sheet.locked_at = now
    ScoreSheet.objects.bulk_update(sheets, ["status", "locked_at"])
    for sheet in sheets:
        audit(actor=actor, action="scoring.lock", obj=sheet, summary=f"Khóa điểm {sheet.unit.name}")
    return sheets


@transaction.atomic
def sheets_lock_reviewed(*, bloc_year: BlocYear, actor=None) -> list[ScoreSheet]:
    """Lock every reviewed sheet of the year in one step (instead of opening each one)."""
    scheme = ScoringScheme.objects.select_for_update().get(bloc_year=bloc_year)
    if scheme.phase != ScoringScheme.Phase.OPEN:
        raise ValidationError(_("Chưa mở chấm điểm hoặc đã khóa."))
    sheets = _lock_reviewed_sheets(scheme, actor)
    if not sheets:
        raise ValidationError(_("Không có phiếu nào đã thẩm định mà chưa khóa."))
    return sheets


@transaction.atomic
def scoring_lock(*, bloc_year: BlocYear, actor=None) -> ScoringScheme:
    """Lock the final result. Every sheet must be reviewed (the reviewed ones are locked in the
    same step); a sheet still in self-scoring or waiting for review stops it, and nothing changes."""
    scheme = ScoringScheme.objects.select_for_update().get(bloc_year=bloc_year)
    if scheme.phase != ScoringScheme.Phase.OPEN:
        raise ValidationError(_("Chưa mở chấm điểm hoặc đã khóa."))
    waiting = scheme.sheets.exclude(
        status__in=[ScoreSheet.Status.REVIEWED, ScoreSheet.Status.LOCKED]
    ).select_related("unit")
    names = [s.unit.name for s in waiting.order_by("unit__name")]
    if names:
        raise ValidationError(
            _("Còn phiếu chưa thẩm định nên chưa khóa được: %(names)s.")
            % {"names": ", ".join(names)}
        )
    _lock_reviewed_sheets(scheme, actor)
    scheme.phase = ScoringScheme.Phase.LOCKED
    scheme.locked_at = timezone.now()
    scheme.save(update_fields=["phase", "locked_at"])
    audit(
        actor=actor,
        action="scoring.final",
        obj=bloc_year,
        summary="Khóa kết quả chấm điểm, xếp hạng",
    )
    return scheme


# --- deadlines ------------------------------------------------------------------------------


@transaction.atomic
def deadline_set(
    *,
    bloc_year: BlocYear,
    kind: str,
    due_on: dt.date,
    label: str = "",
    basis: str = "",
    done_on: dt.date | None = None,
    actor=None,
) -> Deadline:
    if kind == Deadline.Kind.OTHER and not _clean_text(label):
        raise ValidationError({"label": _("Cần ghi nội dung thời hạn.")})
    if kind == Deadline.Kind.OTHER:
        deadline = Deadline.objects.create(
            bloc_year=bloc_year,
            kind=kind,
            due_on=due_on,
            label=_clean_text(label),
            basis=_clean_text(basis),
            done_on=done_on,
        )
    else:
        deadline, _created = Deadline.objects.update_or_create(
            bloc_year=bloc_year,
            kind=kind,
            defaults={
                "due_on": due_on,
                "label": _clean_text(label),
                "basis": _clean_text(basis),
                "done_on": done_on,
            },
        )
    audit(actor=actor, action="deadline.set", obj=bloc_year, summary=str(deadline))
    return deadline


@transaction.atomic
def award_title_create(*, actor=None, **fields) -> AwardTitle:
    """Add a title to an organizer's catalog, with its audit row in the same transaction."""
    title = AwardTitle.objects.create(**fields)
    audit(actor=actor, action="awardtitle.create", obj=title, summary=title.name)
    return title
