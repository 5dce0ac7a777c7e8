"""Snapshot builders: turn the owning apps' typed values into plain JSON (names as they were on
the document's date).

A print template (and documents.docx_export) renders only from a snapshot, so a finalized
document can be re-shown exactly as it was (HTML preview of an old version) even after units are
renamed or merged.

Each document type has one producer in the app that owns its data, returning a frozen dataclass;
the builders read nothing else of those apps' models:

    meetings.minutes.minutes_data(meeting)        biên bản hội nghị
    meetings.minutes.count_minutes_data(poll)     biên bản kiểm phiếu
    meetings.minutes.invitation_data(meeting)     giấy mời
    meetings.minutes.ballots_data(meeting)        phiếu bầu
    awards.covenants.covenant_data(bloc_year)     bản giao ước thi đua
    awards.reports.report_data(bloc_year)         báo cáo, tờ trình

plus blocs (names as of a date, the year's terms) and legal (texts in force, who signs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from blocs import names
from blocs.models import BlocYear, Unit
from khoithidua.lib.i18n import shown_later
from legal.people import bloc_signer_on
from legal.texts import citations_on

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


def unit_name(unit: Unit | None, on: dt.date) -> str:
    if unit is None:
        return ""
    return unit.name_on(on)


def issuer_of(bloc_year: BlocYear, on: dt.date) -> dict:
    """The issuing body as of the document's date (the successor province after a merger)."""
    bloc = bloc_year.bloc
    return {
        "parent": names.organizer_on(bloc.organizer, on).issuer,
        "name": names.name_on(bloc, on).upper(),
    }


def symbol_of(bloc_year: BlocYear, prefix: str, on: dt.date | None = None) -> str:
    short = (names.short_name_on(bloc_year.bloc, on) if on else "") or bloc_year.bloc.short_name
    return f"{prefix}-{short or 'KTĐ'}"


class Signer(Protocol):
    """legal.people.Person, meetings.minutes.PersonLine, awards.covenants.CovenantSigner."""

    name: str
    title: str


def sign_block(*, roles: list[str], person: Signer | None, sign_role: str, who: str) -> dict:
    """One signature block: the role lines, the signer's chức vụ, a space, the họ tên.
    `who` says, in a finalize refusal, whose name and title to record."""
    name = person.name.strip() if person is not None else ""
    title = person.title.strip() if person is not None else ""
    return {
        "roles": roles,
        "title": title,
        "name": name,
        "sign_role": sign_role,
        "who": who,
    }


LACKS = {
    (True, True): gettext_noop("họ tên và chức vụ"),
    (True, False): gettext_noop("họ tên"),
    (False, True): gettext_noop("chức vụ"),
}


def signer_missing(blocks: list[dict]) -> list:
    """«Người ký (…): chưa ghi họ tên và chức vụ.» for each block without a person, in the
    reader's language (`who` is translated when it is one of the fixed roles)."""
    out = []
    for b in blocks:
        lacks = LACKS.get((not b["name"], not b["title"]))
        if lacks:
            out.append(
                shown_later(
                    gettext_noop("Người ký (%(who)s): chưa ghi %(what)s."),
                    who=shown_later(b["who"]),
                    what=shown_later(lacks),
                )
            )
    return out


def base_snapshot(
    *, kind: str, bloc_year: BlocYear, prefix: str, date: dt.date, title: str, subject: str
) -> dict:
    organizer = bloc_year.bloc.organizer
    acting = names.organizer_on(organizer, date)
    return {
        "kind": kind,
        "issuer": issuer_of(bloc_year, date),
        "symbol": symbol_of(bloc_year, prefix, date),
        "number": None,
        "place": acting.place_name,
        "date": date.isoformat(),
        "title": title,
        "subject": subject,
        "legal_basis": citations_on(date, organizer=organizer),
        "bloc": {
            "name": names.name_on(bloc_year.bloc, date),
            "short": symbol_of(bloc_year, "", date)[1:],
            "year": bloc_year.year,
            "kind": bloc_year.bloc.kind,
            "leader_label": bloc_year.bloc.leader_label,
            "deputy_label": bloc_year.bloc.deputy_label,
        },
        "organizer": {
            "name": acting.name,
            "office_name": acting.office_name,
            "addressee": acting.addressee,
            "place": acting.place_name,
        },
        "missing": [],
    }


def _terms(bloc_year: BlocYear | None, on: dt.date) -> dict:
    out = {"leader": "", "deputy": "", "leader_method": "", "deputy_method": ""}
    if bloc_year is None:
        return out
    for term in bloc_year.terms.select_related("unit").prefetch_related("unit__former_names"):
        out[term.role] = unit_name(term.unit, on)
        out[f"{term.role}_method"] = term.get_method_display()
    return out


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
    return poll.meeting.bloc_year


# --- Biên bản hội nghị, biên bản kiểm phiếu (from meetings.minutes) -------------------------


def _person_json(p) -> dict:
    return {"name": p.name, "title": p.title, "unit": p.unit, "is_person": p.is_person}


def _poll_json(p, no: int) -> dict:
    """A meetings.minutes.PollLine as snapshot data (JSON)."""
    return {
        "no": no,
        "title": p.title,
        "kind": p.kind,
        "closed": p.closed,
        "counted": p.counted,
        "form": p.form,
        "rule": p.rule,
        "base": p.base_label,
        "issued": p.issued,
        "returned": p.returned,
        "valid": p.valid,
        "invalid": p.invalid,
        "blank": p.blank,
        "blank_valid": p.blank_valid,
        "yes": p.yes,
        "no_votes": p.no,
        "abstain": p.abstain,
        "options": [
            {
                "name": o.label,
                "votes": o.votes,
                "percent": o.percent,
                "result": o.result,
                "chosen": o.chosen,
            }
            for o in p.options
        ],
        "outcome": p.outcome,
        "decision": p.decision,
        "low_turnout": p.low_turnout,
        "digest": p.digest,
        "committee": [_person_json(c) for c in p.committee],
        "closed_at": time_text(p.closed_at) if p.closed_at else "",
    }


def recipients_of(snap: dict) -> list[str]:
    return [
        snap["organizer"]["office_name"] or snap["organizer"]["addressee"],
        "Các đơn vị thành viên Khối",
        f"Lưu: VT, {snap['bloc']['short'] or 'Khối'}",
    ]


def build_minutes(meeting) -> dict:
    from meetings.minutes import minutes_data

    data = minutes_data(meeting)
    on = data.date
    snap = base_snapshot(
        kind=Kind.MINUTES,
        bloc_year=meeting.bloc_year,
        prefix="BB",
        date=on,
        title="BIÊN BẢN",
        subject=data.title,
    )
    q = data.quorum
    chair = data.chairs[0] if data.chairs else None
    signatures = [
        sign_block(
            roles=["THƯ KÝ"],
            person=data.secretary,
            sign_role="secretary",
            who=gettext_noop("thư ký hội nghị"),
        ),
        sign_block(
            roles=["CHỦ TRÌ HỘI NGHỊ"],
            person=chair,
            sign_role="chair",
            who=gettext_noop("chủ trì hội nghị"),
        ),
    ]
    snap.update(
        {
            "meeting": {
                "title": data.title,
                "kind": data.kind,
                "starts": f"{time_text(data.starts_at)}, ngày {date_short(data.starts_at)}",
                "place": data.place,
                "host": data.host,
                "ends": time_text(data.ends_at) if data.ends_at else "",
                "ends_date": date_short(data.ends_at)
                if data.ends_at and data.ends_at.date() != on
                else "",
            },
            "chairs": [_person_json(c) for c in data.chairs],
            "secretary": _person_json(data.secretary) if data.secretary else None,
            "guests": [_person_json(g) for g in data.guests],
            "attendance": {
                "rows": [
                    {
                        "no": i,
                        "unit": r.unit,
                        "status": r.status,
                        "delegate": r.delegates,
                        "reason": r.reason,
                    }
                    for i, r in enumerate(data.attendance, 1)
                ],
                "total": q.members,
                "present": q.present,
                "absent": q.absent,
                "unrecorded": q.unrecorded,
                "quorum_needed": q.needed,
                "quorum_fraction": q.fraction,
                "quorum_basis": q.basis or "Quy chế hoạt động của Khối",
                "quorum_reached": q.reached,
            },
            "agenda": [
                {"no": i, "title": t, "notes": n} for i, (t, n) in enumerate(data.agenda, 1)
            ],
            "polls": [_poll_json(p, i) for i, p in enumerate(data.polls, 1)],
            "conferred": [c.text for c in data.conferred],
            "awards": [
                {"title": a.title, "recipient": a.recipient, "final": a.final} for a in data.awards
            ],
            "next_year": data.next_year,
            "next_terms": {"leader": data.next_leader, "deputy": data.next_deputy},
            "covenant": {
                "year": data.covenant.year,
                "title": data.covenant.title,
                "signers": [_person_json(s) for s in data.covenant.signers],
            }
            if data.covenant
            else None,
            "signatures": signatures,
        }
    )
    snap["recipients"] = recipients_of(snap)
    snap["missing"] = data.missing  # it names the chair and the secretary where to fill them
    return snap


def build_count_minutes(poll) -> dict:
    from meetings.minutes import count_minutes_data

    data = count_minutes_data(poll)
    on = data.date
    p = _poll_json(data.poll, 1)
    snap = base_snapshot(
        kind=Kind.COUNT_MINUTES,
        bloc_year=poll.meeting.bloc_year,
        prefix="BB",
        date=on,
        title="BIÊN BẢN KIỂM PHIẾU",
        subject=p["title"],
    )
    signatures = [
        sign_block(
            roles=["TRƯỞNG BAN" if i == 0 else "THÀNH VIÊN"],
            person=c,
            sign_role=f"committee-{i + 1}",
            who=gettext_noop("trưởng ban Ban kiểm phiếu")
            if i == 0
            else gettext_noop("thành viên Ban kiểm phiếu"),
        )
        for i, c in enumerate(data.poll.committee)
    ]
    snap.update(
        {
            "poll": p,
            "meeting": {
                "title": data.meeting_title,
                "starts": f"{time_text(data.starts_at)}, ngày {date_short(data.starts_at)}",
                "place": data.place,
            },
            "committee": p["committee"],
            "signatures": signatures,
        }
    )
    snap["missing"] = data.missing + signer_missing(signatures)
    return snap


def build_invitation(meeting) -> dict:
    from meetings.minutes import invitation_data

    data = invitation_data(meeting)
    snap = base_snapshot(
        kind=Kind.INVITATION,
        bloc_year=meeting.bloc_year,
        prefix="GM",
        date=data.date,
        title="GIẤY MỜI",
        subject=f"Dự {data.title}",
    )
    signer = _leader_block(meeting.bloc_year, data.date, snap)
    guests = [_person_json(g) for g in data.guests]
    snap.update(
        {
            "meeting": {
                "title": data.title,
                "starts": f"{time_text(data.starts_at)}, ngày {date_short(data.starts_at)}",
                "place": data.place,
            },
            "plan_reference": meeting.bloc_year.plan_reference,
            "agenda": list(data.agenda),
            "guests": guests,
            "members": data.members,
            "signatures": [signer],
        }
    )
    orgs = []
    for g in data.guests:
        if g.unit and g.unit not in orgs:
            orgs.append(g.unit)
    snap["recipients"] = ["Như trên", *orgs, f"Lưu: VT, {snap['bloc']['short'] or 'Khối'}"]
    snap["missing"] = data.missing + signer_missing([signer])
    return snap


def _polls_of(meeting) -> list:
    return list(meeting.polls.order_by("created_at", "id"))


# --- Phiếu bầu (from meetings.minutes) ------------------------------------------------------


def build_ballots(meeting) -> dict:
    from meetings.minutes import ballots_data

    data = ballots_data(meeting)
    snap = base_snapshot(
        kind=Kind.BALLOTS,
        bloc_year=meeting.bloc_year,
        prefix="PB",
        date=data.date,
        title="PHIẾU BẦU",
        subject=data.title,
    )
    sets = [
        {"title": s.title, "candidates": list(s.candidates), "seats": s.seats, "copies": s.copies}
        for s in data.sets
    ]
    ballots = [
        {
            "set": s["title"],
            "no": i,
            "of": s["copies"],
            "candidates": s["candidates"],
            "seats": s["seats"],
        }
        for s in sets
        for i in range(1, s["copies"] + 1)
    ]
    snap.update({"sets": sets, "ballots": ballots, "voters": data.voters})
    snap["missing"] = data.missing
    return snap


# --- Bản giao ước thi đua (from awards.covenants) -------------------------------------------


def _target_text(t) -> str:
    """«Tỷ lệ giải quyết đơn thư (chỉ tiêu: 95 %)»."""
    from .templatetags.documents import vn_number

    if t.value is None:
        return t.text
    places = 0 if t.value == int(t.value) else 2
    unit = f" {t.measure_unit}" if t.measure_unit else ""
    return _("%(text)s (chỉ tiêu: %(value)s%(unit)s)") % {
        "text": t.text,
        "value": vn_number(t.value, places),
        "unit": unit,
    }


def build_covenant(bloc_year: BlocYear) -> dict:
    from awards.covenants import covenant_data

    data = covenant_data(bloc_year)
    on = data.date
    snap = base_snapshot(
        kind=Kind.COVENANT,
        bloc_year=bloc_year,
        prefix="GƯ",
        date=on,
        title="BẢN GIAO ƯỚC THI ĐUA",
        subject=data.title or _("Năm %(year)s") % {"year": data.year},
    )
    if data.version > 1:
        snap["covenant_version"] = data.version
    units = []
    for s in data.signers:
        block = sign_block(
            roles=[s.unit.upper()],
            person=s,
            sign_role=f"unit-{s.unit_id}",
            who=s.unit,
        )
        units.append({**block, "unit": s.unit, "signed": s.signed})
    snap.update(
        {
            "intro": data.intro,
            "targets": [{"no": i, "text": _target_text(t)} for i, t in enumerate(data.targets, 1)],
            "units": units,
            "plan_reference": data.plan_reference,
            "terms": _terms(bloc_year, on),
            "missing": data.missing + signer_missing(units),
        }
    )
    return snap


# --- Báo cáo kết quả chấm điểm, bình xét; Tờ trình ------------------------------------------


def _vn2(value) -> str:
    from .templatetags.documents import vn_number

    return vn_number(value, 2) if value is not None else ""


def _report_parts(data) -> dict:
    """awards.reports.ReportData as snapshot data (JSON)."""
    return {
        "scores": [
            {
                "no": i,
                "unit": s.unit,
                "main": _vn2(s.main),
                "bonus": _vn2(s.bonus),
                "score": _vn2(s.total),
                "rank": f"{s.rank}{' (đồng hạng)' if s.tied else ''}" if s.rank else "",
            }
            for i, s in enumerate(data.scores, 1)
        ],
        "award_groups": [
            {
                "title": g.title,
                "items": [
                    {
                        "unit": it.unit,
                        "person": it.person,
                        "position": it.position,
                        "source": it.basis,
                        "final": it.final,
                    }
                    for it in g.items
                ],
            }
            for g in data.award_groups
        ],
        "meeting": {"title": data.meeting_title, "date": date_short(data.meeting_date)}
        if data.meeting_title
        else None,
    }


def _leader_block(bloc_year: BlocYear, on: dt.date, snap: dict) -> dict:
    person = bloc_signer_on(bloc_year, "leader", on)
    title = person.title if person else ""
    block = sign_block(
        roles=[f"TM. {snap['bloc']['name'].upper()}", bloc_year.bloc.leader_label.upper()],
        person=person,
        sign_role="bloc-leader",
        who=f"{bloc_year.bloc.leader_label} năm {bloc_year.year}"
        + (f", {person.unit}" if person and person.unit else ""),
    )
    block["title"] = title
    return block


def _leader_document(
    bloc_year: BlocYear, *, kind: str, prefix: str, title: str, subject: str
) -> tuple:
    """The start of the báo cáo and the tờ trình: the year's report data, its date, the
    snapshot head dated on it, and the bloc leader's signature block."""
    from awards.reports import report_data

    data = report_data(bloc_year)
    snap = base_snapshot(
        kind=kind, bloc_year=bloc_year, prefix=prefix, date=data.date, title=title, subject=subject
    )
    return data, data.date, snap, _leader_block(bloc_year, data.date, snap)


def build_report(bloc_year: BlocYear) -> dict:
    data, on, snap, signer = _leader_document(
        bloc_year,
        kind=Kind.REPORT,
        prefix="BC",
        title="BÁO CÁO",
        subject=f"Kết quả chấm điểm, bình xét thi đua năm {bloc_year.year}",
    )
    snap.update(
        {
            **_report_parts(data),
            "terms": _terms(bloc_year, on),
            "plan_reference": bloc_year.plan_reference,
            "signatures": [signer],
        }
    )
    snap["recipients"] = recipients_of(snap)
    snap["missing"] = signer_missing([signer])
    return snap


def build_proposal(bloc_year: BlocYear) -> dict:
    data, on, snap, signer = _leader_document(
        bloc_year,
        kind=Kind.PROPOSAL,
        prefix="TTr",
        title="TỜ TRÌNH",
        subject=f"Về việc đề nghị khen thưởng năm {bloc_year.year}",
    )
    parts = _report_parts(data)
    groups = parts["award_groups"]
    snap.update(
        {
            "to": snap["organizer"]["addressee"],
            "award_groups": groups,
            "meeting": parts["meeting"],
            "terms": _terms(bloc_year, on),
            "plan_reference": bloc_year.plan_reference,
            "signatures": [signer],
        }
    )
    snap["recipients"] = recipients_of(snap)
    missing = signer_missing([signer])
    if not groups:
        missing.append(
            shown_later(
                gettext_noop("Chưa có tập thể, cá nhân nào được đề nghị khen thưởng năm %(year)s."),
                year=bloc_year.year,
            )
        )
    snap["missing"] = missing
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
    Kind.INVITATION: DocType(
        Kind.INVITATION,
        "GM",
        "meetings.Meeting",
        "documents/print/invitation.html",
        build_invitation,
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
        docx=True,
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
        docx=True,
    ),
    Kind.REPORT: DocType(
        Kind.REPORT,
        "BC",
        "blocs.BlocYear",
        "documents/print/report.html",
        build_report,
        lambda by: by,
        docx=True,
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
        raise Http404(_("Không có loại văn bản này.")) from None


def subject_model(kind: str):
    return apps.get_model(doc_type(kind).subject_model)
