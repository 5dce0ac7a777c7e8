"""Snapshot builders: turn live data into plain JSON (names as they were on the document's date).

A print template renders only from a snapshot, so a finalized document can be re-shown exactly
as it was (HTML preview of an old version) even after units are renamed or merged.

The meetings and awards apps grow while this is written; every builder reads their models
defensively (`_related`), and prints "…" where the data is not recorded yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils import timezone

from blocs.models import BlocYear, Unit

from .models import Kind

DOTS = "…………………"


# --- helpers --------------------------------------------------------------------------------


def _local(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def time_text(value) -> str:
    """ "08 giờ 00 phút"."""
    value = _local(value)
    if value is None:
        return "… giờ … phút"
    return f"{value.hour:02d} giờ {value.minute:02d} phút"


def date_short(value) -> str:
    value = _local(value)
    if value is None:
        return "…/…/……"
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _related(obj, name: str) -> list:
    """`obj.<name>.all()` if that relation exists (the other apps add relations over time)."""
    manager = getattr(obj, name, None)
    if manager is None or not hasattr(manager, "all"):
        return []
    return list(manager.all())


def _attr(obj, *names, default=""):
    for name in names:
        value = getattr(obj, name, None)
        if callable(value) and not isinstance(value, models.Model):
            try:
                value = value()
            except TypeError:
                continue
        if value not in (None, ""):
            return value
    return default


def unit_name(unit: Unit | None, on: dt.date) -> str:
    if unit is None:
        return ""
    return unit.name_on(on)


def issuer_of(bloc_year: BlocYear) -> dict:
    bloc = bloc_year.bloc
    return {"parent": bloc.organizer.name.upper(), "name": bloc.name.upper()}


def symbol_of(bloc_year: BlocYear, prefix: str) -> str:
    return f"{prefix}-{bloc_year.bloc.short_name or 'KTĐ'}"


def base_snapshot(
    *, kind: str, bloc_year: BlocYear, prefix: str, date: dt.date, title: str, subject: str
) -> dict:
    organizer = bloc_year.bloc.organizer
    return {
        "kind": kind,
        "issuer": issuer_of(bloc_year),
        "symbol": symbol_of(bloc_year, prefix),
        "number": None,
        "place": organizer.place_name,
        "date": date.isoformat(),
        "title": title,
        "subject": subject,
        "bloc": {
            "name": bloc_year.bloc.name,
            "year": bloc_year.year,
            "kind": bloc_year.bloc.kind,
            "leader_label": bloc_year.bloc.leader_label,
            "deputy_label": bloc_year.bloc.deputy_label,
        },
        "organizer": {
            "name": organizer.name,
            "office_name": organizer.office_name,
            "place": organizer.place_name,
        },
    }


def _members(bloc_year: BlocYear, on: dt.date) -> list:
    return [
        m
        for m in bloc_year.memberships.select_related("unit")
        .prefetch_related("unit__former_names")
        .order_by("unit__name")
        if m.active_on(on)
    ]


def _terms(bloc_year: BlocYear | None, on: dt.date) -> dict:
    out = {"leader": "", "deputy": "", "leader_method": "", "deputy_method": ""}
    if bloc_year is None:
        return out
    for term in bloc_year.terms.select_related("unit").prefetch_related("unit__former_names"):
        out[term.role] = unit_name(term.unit, on)
        out[f"{term.role}_method"] = term.get_method_display()
    return out


def _person(obj, on: dt.date) -> dict:
    """A chair, secretary or guest, whatever shape the meetings app gives it."""
    if obj is None:
        return {"name": "", "position": "", "unit": ""}
    if isinstance(obj, str):
        # "Họ tên, chức vụ, đơn vị" (one line per person in the meetings app)
        head, dash, tail = obj.partition(" – ")
        if dash and "," not in head:
            # "Họ tên – chức vụ, đơn vị" (the seed reports write it this way)
            parts = [head.strip()] + [p.strip() for p in tail.split(",") if p.strip()]
        else:
            parts = [p.strip() for p in obj.split(",") if p.strip()]
        return {
            "name": parts[0] if parts else "",
            "position": parts[1] if len(parts) > 1 else "",
            "unit": ", ".join(parts[2:]),
        }
    unit = getattr(obj, "unit", None)
    return {
        "name": str(_attr(obj, "person_name", "full_name", "name", "get_full_name", default="")),
        "position": str(_attr(obj, "position", "person_position", "title", default="")),
        "unit": unit_name(unit, on)
        if isinstance(unit, Unit)
        else str(_attr(obj, "organization", "org", "unit_name", default="")),
    }


# --- the registry of document kinds ---------------------------------------------------------


@dataclass(frozen=True)
class DocType:
    kind: str
    prefix: str  # ký hiệu loại văn bản: BB (biên bản), TTr (tờ trình), BC (báo cáo), GƯ (giao ước)
    subject_model: str  # app_label.Model
    template: str
    build: Callable[[models.Model], dict]
    bloc_year_of: Callable[[models.Model], BlocYear]
    finalizable: bool = True
    docx: bool = False


def _meeting_bloc_year(meeting) -> BlocYear:
    return meeting.bloc_year


def _poll_bloc_year(poll) -> BlocYear:
    meeting = getattr(poll, "meeting", None)
    if meeting is not None:
        return meeting.bloc_year
    return poll.bloc_year


# --- Biên bản hội nghị ----------------------------------------------------------------------


def _attendance(meeting, members: list, on: dt.date) -> dict:
    by_unit = {}
    for a in _related(meeting, "attendances") or _related(meeting, "attendance_set"):
        by_unit[getattr(a, "unit_id", None)] = a
    rows = []
    present = 0
    for i, m in enumerate(members, 1):
        a = by_unit.get(m.unit_id)
        is_present = None
        delegate = reason = ""
        if a is not None:
            status = getattr(a, "status", None)
            flag = getattr(a, "present", None)
            if flag is not None:
                is_present = bool(flag)
            elif status in ("present", "absent"):
                is_present = status == "present"
            delegate = str(_attr(a, "delegate_name", "person_name", "representative", default=""))
            reason = str(_attr(a, "absence_reason", "reason", "note", default=""))
        if is_present:
            present += 1
        rows.append(
            {
                "no": i,
                "unit": unit_name(m.unit, on),
                "present": is_present,
                "delegate": delegate,
                "reason": reason,
            }
        )
    bloc = meeting.bloc_year.bloc
    needed = bloc.quorum_needed(len(members))
    recorded = bool(by_unit)
    return {
        "rows": rows,
        "recorded": recorded,
        "present": present,
        "total": len(members),
        "quorum_needed": needed,
        "quorum_fraction": f"{bloc.quorum_numerator}/{bloc.quorum_denominator}",
        "quorum_basis": bloc.quorum_basis,
        "quorum_ok": recorded and present >= needed,
    }


def _poll_snapshot(poll, no: int, on: dt.date) -> dict:
    """One poll's result, read from whatever the meetings app exposes."""
    result = None
    for name in ("result", "tally", "results"):
        value = getattr(poll, name, None)
        if callable(value):
            try:
                value = value()
            except TypeError:
                value = None
        if value is not None:
            result = value
            break

    def r(key, default=None):
        if result is None:
            return default
        if isinstance(result, dict):
            return result.get(key, default)
        return getattr(result, key, default)

    candidates = []
    raw = r("candidates", None)
    if raw is None:
        raw = r("rows", None)
    if r("yes") is not None:
        raw = []  # a motion: yes / no / abstain, no candidate table
    for c in raw or []:
        get = c.get if isinstance(c, dict) else (lambda k, d=None, c=c: getattr(c, k, d))
        unit = get("unit")
        name = (
            get("name")
            or get("label")
            or (unit_name(unit, on) if isinstance(unit, Unit) else str(unit or ""))
        )
        pct = get("percent")
        pct_text = get("percent_text") or (
            f"{float(pct):.2f}".replace(".", ",") if pct is not None else ""
        )
        candidates.append(
            {
                "name": str(name),
                "votes": get("votes", get("count", 0)),
                "percent": str(pct_text).rstrip("%"),
                "elected": bool(get("elected", get("passed", False))),
            }
        )
    title = str(_attr(poll, "title", "question", "name", default=str(poll)))
    return {
        "no": no,
        "title": title,
        "mode": str(_attr(poll, "get_mode_display", "mode", default="")),
        "rule": str(_attr(poll, "rule_label", "get_rule_display", "rule", default="")),
        "base": str(
            r("base_label", "") or _attr(poll, "base_label", "get_base_display", default="")
        ),
        "issued": r("issued", r("ballots_issued")),
        "returned": r("returned", r("ballots_returned")),
        "valid": r("valid", r("ballots_valid")),
        "invalid": r("invalid", r("ballots_invalid")),
        "yes": r("yes"),
        "no_votes": r("no"),
        "abstain": r("abstain"),
        "candidates": candidates,
        "counted": any(c["votes"] for c in candidates)
        or r("issued", r("ballots_issued")) is not None,
        "outcome": _outcome_text(candidates, r("adopted")) or str(r("outcome_label", "") or ""),
        "explanation": str(r("explanation", "") or r("sentence", "") or ""),
        "chain_hash": str(
            r("chain_hash", "") or _attr(poll, "chain_head", "chain_hash", "final_hash", default="")
        ),
        "committee": [
            _person(p, on)
            for p in (_related(poll, "counters") or _related(poll, "committee_members"))
        ],
    }


def _outcome_text(candidates: list[dict], adopted) -> str:
    if adopted is not None:
        return "Thông qua" if adopted else "Không thông qua"
    elected = [c["name"] for c in candidates if c["elected"]]
    if elected:
        return "Trúng cử: " + "; ".join(elected)
    if candidates:
        return "Không có đơn vị nào đạt tỷ lệ quy định"
    return ""


def _polls_of(meeting) -> list:
    polls = _related(meeting, "polls")
    return sorted(polls, key=lambda p: (getattr(p, "order", 0) or 0, p.pk))


def build_minutes(meeting) -> dict:
    bloc_year = meeting.bloc_year
    on = _local(meeting.starts_at).date()
    snap = base_snapshot(
        kind=Kind.MINUTES,
        bloc_year=bloc_year,
        prefix="BB",
        date=on,
        title="BIÊN BẢN",
        subject=meeting.title,
    )
    members = _members(bloc_year, on)
    chair_lines = getattr(meeting, "chair_lines", None)
    chairs = [
        _person(c, on)
        for c in (chair_lines if chair_lines is not None else _related(meeting, "chairs"))
    ]
    if not chairs:
        for name in ("chair", "chair_unit", "chairperson"):
            value = getattr(meeting, name, None)
            if value:
                chairs = [
                    _person(value, on)
                    if not isinstance(value, Unit)
                    else {"name": "", "position": "", "unit": unit_name(value, on)}
                ]
                break
    secretary = None
    for name in ("secretary", "secretary_name"):
        value = getattr(meeting, name, None)
        if value:
            secretary = _person(value, on)
            break
    guests = [_person(g, on) for g in (_related(meeting, "guests") or [])]
    agenda = [
        {
            "no": i,
            "title": str(_attr(item, "title", "name", default="")),
            "notes": str(_attr(item, "notes", "summary", "content", default="")),
        }
        for i, item in enumerate(
            sorted(
                _related(meeting, "agenda_items"), key=lambda a: (getattr(a, "order", 0) or 0, a.pk)
            ),
            1,
        )
    ]
    polls = [_poll_snapshot(p, i, on) for i, p in enumerate(_polls_of(meeting), 1)]
    awards = []
    Award = _model("awards.Award")
    if Award is not None:
        for a in (
            Award.objects.filter(bloc_year=bloc_year, proposed_on=on)
            .select_related("award_title", "unit")
            .prefetch_related("unit__former_names")
            .order_by("award_title__rank", "id")
        ):
            awards.append(
                {
                    "title": a.award_title.name,
                    "unit": unit_name(a.unit, on),
                    "person": a.person_name or getattr(a, "collective_name", ""),
                }
            )
    next_year = BlocYear.objects.filter(bloc=bloc_year.bloc, year=bloc_year.year + 1).first()
    terms = _terms(next_year, on)
    ends_at = getattr(meeting, "ends_at", None) or getattr(meeting, "ended_at", None)
    host = getattr(meeting, "host_unit", None)
    snap.update(
        {
            "meeting": {
                "title": meeting.title,
                "kind": meeting.get_kind_display(),
                "starts": f"{time_text(meeting.starts_at)}, ngày {date_short(meeting.starts_at)}",
                "place": meeting.place or (f"Trụ sở {unit_name(host, on)}" if host else ""),
                "host": unit_name(host, on),
                "ends": time_text(ends_at) if ends_at else "",
                "ends_date": date_short(ends_at) if ends_at else "",
            },
            "chairs": chairs,
            "secretary": secretary or {"name": "", "position": "", "unit": ""},
            "guests": guests,
            "attendance": _attendance(meeting, members, on),
            "agenda": agenda,
            "polls": polls,
            "awards": awards,
            "next_year": bloc_year.year + 1,
            "next_terms": terms,
            "covenant_signed": bool(getattr(meeting, "covenant_signed", False)),
            "signatures": {
                "left": {"role": "THƯ KÝ", "name": (secretary or {}).get("name", "")},
                "right": {"role": "CHỦ TRÌ HỘI NGHỊ", "name": chairs[0]["name"] if chairs else ""},
            },
        }
    )
    return snap


# --- Biên bản kiểm phiếu --------------------------------------------------------------------


def build_count_minutes(poll) -> dict:
    meeting = getattr(poll, "meeting", None)
    bloc_year = _poll_bloc_year(poll)
    on = _local(
        meeting.starts_at if meeting else (getattr(poll, "closed_at", None) or timezone.now())
    ).date()
    p = _poll_snapshot(poll, 1, on)
    snap = base_snapshot(
        kind=Kind.COUNT_MINUTES,
        bloc_year=bloc_year,
        prefix="BB",
        date=on,
        title="BIÊN BẢN KIỂM PHIẾU",
        subject=p["title"],
    )
    committee = p["committee"] or [
        {"name": "", "position": "Trưởng ban", "unit": ""},
        {"name": "", "position": "Thành viên", "unit": ""},
        {"name": "", "position": "Thành viên", "unit": ""},
    ]
    snap.update(
        {
            "poll": p,
            "meeting": {
                "title": meeting.title if meeting else "",
                "starts": f"{time_text(meeting.starts_at)}, ngày {date_short(meeting.starts_at)}"
                if meeting
                else "",
                "place": (meeting.place if meeting else ""),
            },
            "committee": committee,
        }
    )
    return snap


# --- Phiếu bầu ------------------------------------------------------------------------------


def _ballot_sets_for_meeting(meeting, on: dt.date) -> list[dict]:
    sets = []
    polls = [p for p in _polls_of(meeting) if getattr(p, "kind", "") != "motion"]
    paper = [p for p in polls if getattr(p, "mode", "") == "paper"]
    for p in paper or polls:
        sets.append(_ballot_set_for_poll(p, on))
    if sets:
        return sets
    # No polls recorded yet: one ballot set per award title with candidates this year.
    Nomination = _model("awards.Nomination")
    if Nomination is None:
        return []
    by_title: dict = {}
    for n in (
        Nomination.objects.filter(bloc_year=meeting.bloc_year, status="candidate")
        .select_related("award_title", "unit")
        .prefetch_related("unit__former_names")
        .order_by("award_title__rank", "rank", "id")
    ):
        by_title.setdefault(n.award_title, []).append(n)
    for title, noms in by_title.items():
        sets.append(
            {
                "title": f"Bầu chọn đơn vị đề nghị tặng {title.name}",
                "candidates": [n.person_name or unit_name(n.unit, on) for n in noms],
                "seats": 1 if "cờ" in title.name.lower() else len(noms),
            }
        )
    return sets


def _ballot_set_for_poll(poll, on: dt.date) -> dict:
    names = []
    for c in _related(poll, "candidates") or _related(poll, "options"):
        unit = getattr(c, "unit", None)
        names.append(str(_attr(c, "label", "name", default="")) or unit_name(unit, on))
    return {
        "title": str(_attr(poll, "title", "question", default=str(poll))),
        "candidates": names,
        "seats": int(_attr(poll, "max_marks", "seats", default=1) or 1),
        "voters": getattr(poll, "roll_size", None),
    }


def build_ballots(meeting) -> dict:
    bloc_year = meeting.bloc_year
    on = _local(meeting.starts_at).date()
    snap = base_snapshot(
        kind=Kind.BALLOTS,
        bloc_year=bloc_year,
        prefix="PB",
        date=on,
        title="PHIẾU BẦU",
        subject=meeting.title,
    )
    members = _members(bloc_year, on)
    voters = len(members)
    att = _attendance(meeting, members, on)
    if att["recorded"]:
        voters = att["present"]
    sets = _ballot_sets_for_meeting(meeting, on)
    ballots = []
    for s in sets:
        n = s.get("voters") or voters
        for i in range(1, n + 1):
            ballots.append(
                {
                    "set": s["title"],
                    "no": i,
                    "of": n,
                    "candidates": s["candidates"],
                    "seats": s["seats"],
                }
            )
    snap.update({"sets": sets, "ballots": ballots, "voters": voters})
    return snap


# --- Bản giao ước thi đua -------------------------------------------------------------------


def _current_covenant(bloc_year: BlocYear):
    Covenant = _model("awards.Covenant")
    if Covenant is None:
        return None
    qs = Covenant.objects.filter(bloc_year=bloc_year)
    if any(f.name == "status" for f in Covenant._meta.get_fields()):
        qs = qs.exclude(status="superseded")
    if any(f.name == "version" for f in Covenant._meta.get_fields()):
        qs = qs.order_by("-version")
    return qs.first()


def build_covenant(bloc_year: BlocYear) -> dict:
    on = dt.date(bloc_year.year, 1, 1)
    covenant = _current_covenant(bloc_year)
    signatures = {}
    if covenant is not None:
        for sig in _related(covenant, "signatures"):
            signatures[sig.unit_id] = sig
        dates = sorted(
            sig.signed_on for sig in signatures.values() if getattr(sig, "signed_on", None)
        )
        if dates:
            on = dates[-1]
        elif getattr(covenant, "locked_at", None):
            on = _local(covenant.locked_at).date()
    snap = base_snapshot(
        kind=Kind.COVENANT,
        bloc_year=bloc_year,
        prefix="GƯ",
        date=on,
        title="BẢN GIAO ƯỚC THI ĐUA",
        subject=f"Năm {bloc_year.year}",
    )
    targets = []
    intro = ""
    if covenant is not None:
        items = sorted(
            _related(covenant, "targets"), key=lambda t: (getattr(t, "position", 0) or 0, t.pk)
        )
        for i, t in enumerate(items, 1):
            text = str(_attr(t, "text", "content", "title", default=str(t)))
            value = getattr(t, "target_value", None)
            if getattr(t, "measurable", False) and value is not None:
                from .templatetags.documents import vn_number

                places = 0 if value == int(value) else 2
                text += f" (chỉ tiêu: {vn_number(value, places)}{(' ' + t.measure_unit) if t.measure_unit else ''})"
            targets.append({"no": i, "text": text})
        intro = str(_attr(covenant, "content", "intro", "preamble", default=""))
        if getattr(covenant, "title", ""):
            snap["subject"] = covenant.title
        if getattr(covenant, "version", 1) and getattr(covenant, "version", 1) > 1:
            snap["covenant_version"] = covenant.version
    members = _members(bloc_year, on)
    units = []
    for m in members:
        sig = signatures.get(m.unit_id)
        units.append(
            {
                "name": unit_name(m.unit, on),
                "head_title": (getattr(sig, "representative_position", "") if sig else "")
                or m.unit.head_title
                or "Thủ trưởng đơn vị",
                "signer": getattr(sig, "representative_name", "") if sig else "",
            }
        )
    snap.update(
        {
            "intro": intro,
            "targets": targets,
            "units": units,
            "plan_reference": (getattr(covenant, "plan_reference", "") if covenant else "")
            or bloc_year.plan_reference,
            "terms": _terms(bloc_year, on),
        }
    )
    return snap


# --- Báo cáo kết quả chấm điểm, bình xét; Tờ trình ------------------------------------------


def _scores(bloc_year: BlocYear, on: dt.date) -> list[dict]:
    """Final scores and ranks from the awards app's ranking; else the member list."""
    rows = []
    try:
        from awards.ranking import ranking_for
    except ImportError:  # the awards app without scoring
        ranking_for = None
    ranking = ranking_for(bloc_year) if ranking_for else None
    if ranking is not None and ranking.rows:
        for i, r in enumerate(sorted(ranking.rows, key=lambda r: (r.rank, r.unit.name)), 1):
            rows.append(
                {
                    "no": i,
                    "unit": unit_name(r.unit, on),
                    "main": _vn2(r.main),
                    "bonus": _vn2(r.bonus + r.penalty),
                    "score": _vn2(r.total),
                    "rank": f"{r.rank}{' (đồng hạng)' if r.tied else ''}",
                }
            )
        return rows
    for i, m in enumerate(_members(bloc_year, on), 1):
        rows.append(
            {
                "no": i,
                "unit": unit_name(m.unit, on),
                "main": "",
                "bonus": "",
                "score": "",
                "rank": "",
            }
        )
    return rows


def _vn2(value) -> str:
    from .templatetags.documents import vn_number

    return vn_number(value, 2)


def _awards_by_title(bloc_year: BlocYear, on: dt.date) -> list[dict]:
    Award = _model("awards.Award")
    groups: dict[str, dict] = {}
    if Award is None:
        return []
    for a in (
        Award.objects.filter(bloc_year=bloc_year)
        .exclude(status="rejected")
        .select_related("award_title", "unit")
        .prefetch_related("unit__former_names")
        .order_by("award_title__rank", "id")
    ):
        g = groups.setdefault(
            a.award_title.name,
            {"title": a.award_title.name, "basis": a.award_title.legal_basis, "items": []},
        )
        person = a.person_name or getattr(a, "collective_name", "")
        g["items"].append(
            {
                "unit": unit_name(a.unit, on),
                "person": person,
                "position": a.person_position,
                "source": a.source_label,
                "status": a.get_status_display(),
            }
        )
    return list(groups.values())


def _year_end_meeting(bloc_year: BlocYear):
    Meeting = _model("meetings.Meeting")
    return (
        Meeting.objects.filter(bloc_year=bloc_year, kind="yearend").order_by("-starts_at").first()
        if Meeting
        else None
    )


def build_report(bloc_year: BlocYear) -> dict:
    meeting = _year_end_meeting(bloc_year)
    on = _local(meeting.starts_at).date() if meeting else bloc_year.reference_date
    snap = base_snapshot(
        kind=Kind.REPORT,
        bloc_year=bloc_year,
        prefix="BC",
        date=on,
        title="BÁO CÁO",
        subject=f"Kết quả chấm điểm, bình xét thi đua năm {bloc_year.year}",
    )
    snap.update(
        {
            "scores": _scores(bloc_year, on),
            "award_groups": _awards_by_title(bloc_year, on),
            "terms": _terms(bloc_year, on),
            "plan_reference": bloc_year.plan_reference,
            "meeting": {"title": meeting.title, "date": date_short(meeting.starts_at)}
            if meeting
            else None,
        }
    )
    return snap


def build_proposal(bloc_year: BlocYear) -> dict:
    meeting = _year_end_meeting(bloc_year)
    on = _local(meeting.starts_at).date() if meeting else bloc_year.reference_date
    organizer = bloc_year.bloc.organizer
    snap = base_snapshot(
        kind=Kind.PROPOSAL,
        bloc_year=bloc_year,
        prefix="TTr",
        date=on,
        title="TỜ TRÌNH",
        subject=f"Về việc đề nghị khen thưởng năm {bloc_year.year}",
    )
    terms = _terms(bloc_year, on)
    snap.update(
        {
            "to": organizer.office_name or f"Hội đồng Thi đua - Khen thưởng {organizer.name}",
            "award_groups": _awards_by_title(bloc_year, on),
            "terms": terms,
            "plan_reference": bloc_year.plan_reference,
            "meeting": {"title": meeting.title, "date": date_short(meeting.starts_at)}
            if meeting
            else None,
            "signer_role": f"TM. {bloc_year.bloc.name.upper()}",
            "signer_title": bloc_year.bloc.leader_label.upper(),
            "signer_unit": terms["leader"],
            "recipients": [
                organizer.office_name or "Sở Nội vụ",
                "Các đơn vị thành viên Khối",
                f"Lưu: VT, {bloc_year.bloc.short_name or 'Khối'}",
            ],
        }
    )
    return snap


DOC_TYPES: dict[str, DocType] = {
    Kind.MINUTES: DocType(
        Kind.MINUTES,
        "BB",
        "meetings.Meeting",
        "documents/print/minutes.html",
        build_minutes,
        _meeting_bloc_year,
        docx=True,
    ),
    Kind.COUNT_MINUTES: DocType(
        Kind.COUNT_MINUTES,
        "BB",
        "meetings.Poll",
        "documents/print/count_minutes.html",
        build_count_minutes,
        _poll_bloc_year,
    ),
    Kind.BALLOTS: DocType(
        Kind.BALLOTS,
        "PB",
        "meetings.Meeting",
        "documents/print/ballots.html",
        build_ballots,
        _meeting_bloc_year,
        finalizable=False,
    ),
    Kind.COVENANT: DocType(
        Kind.COVENANT,
        "GƯ",
        "blocs.BlocYear",
        "documents/print/covenant.html",
        build_covenant,
        lambda by: by,
    ),
    Kind.REPORT: DocType(
        Kind.REPORT,
        "BC",
        "blocs.BlocYear",
        "documents/print/report.html",
        build_report,
        lambda by: by,
    ),
    Kind.PROPOSAL: DocType(
        Kind.PROPOSAL,
        "TTr",
        "blocs.BlocYear",
        "documents/print/proposal.html",
        build_proposal,
        lambda by: by,
        docx=True,
    ),
}


def doc_type(kind: str) -> DocType:
    try:
        return DOC_TYPES[kind]
    except KeyError:
        raise Http404("Không có loại văn bản này.") from None


def subject_model(kind: str):
    model = _model(doc_type(kind).subject_model)
    if model is None:
        raise Http404("Loại văn bản này chưa có dữ liệu.")
    return model
