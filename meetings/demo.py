"""Meetings from the seed reports (demo/meetings.json). Idempotent: natural keys only.

Only what a report states is recorded. The reports never give vote counts, so their votes are
polls in mode REPORTED ("giơ tay / phiếu giấy – chỉ ghi nhận kết quả"), published with the
report as basis; winners flow on through the same services as a live vote.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from blocs.models import BlocYear

from . import services
from .models import AgendaItem, Attendance, Guest, Meeting, Poll


def _award_title(code: str):
    from awards.models import AwardTitle

    try:
        from awards.catalog import ensure_catalog
    except ImportError:  # the awards catalog not there yet: create the one title needed
        ensure_catalog = None
    if ensure_catalog is not None:
        ensure_catalog()
    names = {
        "co-thi-dua-chinh-phu": "Cờ thi đua của Chính phủ",
        "bang-khen-thu-tuong": "Bằng khen của Thủ tướng Chính phủ",
        "co-thi-dua-ubnd-tinh": "Cờ thi đua của UBND tỉnh",
        "bang-khen-chu-tich-ubnd-tinh": "Bằng khen của Chủ tịch UBND tỉnh",
    }
    title, _ = AwardTitle.objects.get_or_create(code=code, defaults={"name": names.get(code, code)})
    return title


@transaction.atomic
def load(context: dict) -> None:
    data = json.loads(
        (Path(settings.BASE_DIR) / "demo" / "meetings.json").read_text(encoding="utf-8")
    )
    units = context["units"]
    for m in data["meetings"]:
        org = m["organizer"]
        bloc_year = BlocYear.objects.get(
            bloc__organizer__code=org, bloc__code=m["bloc"], year=m["year"]
        )
        starts_at = timezone.make_aware(dt.datetime.fromisoformat(m["starts_at"]))
        meeting, _ = Meeting.objects.update_or_create(
            bloc_year=bloc_year,
            kind=m["kind"],
            starts_at=starts_at,
            defaults={
                "title": m["title"],
                "place": m.get("place", ""),
                "host_unit": units[(org, m["host"])] if m.get("host") else None,
                "chairs": "\n".join(m.get("chairs", [])),
                "source": m.get("source", ""),
            },
        )
        for i, g in enumerate(m.get("guests", []), start=1):
            name, position = g["name"], g.get("position", "")
            if not name:  # "Đại diện …" without a name
                name, position = position, ""
            Guest.objects.update_or_create(
                meeting=meeting,
                name=name,
                organisation=g.get("organisation", ""),
                defaults={"position": position, "order": i},
            )
        for i, a in enumerate(m.get("agenda", []), start=1):
            AgendaItem.objects.update_or_create(
                meeting=meeting,
                order=i,
                defaults={
                    "title": a["title"],
                    "speaker": a.get("speaker", ""),
                    "conclusion": a.get("conclusion", ""),
                    "duration_minutes": a.get("duration_minutes"),
                },
            )
        services.attendance_ensure_rows(meeting=meeting)
        att = m.get("attendance", {})
        present = {}
        if att.get("all_present"):
            present = {u.pk: att.get("note", "") for u in services.member_units(meeting)}
        for code, delegate in att.get("present", {}).items():
            present[units[(org, code)].pk] = delegate
        for row in meeting.attendances.filter(unit_id__in=present):
            row.status = Attendance.Status.PRESENT
            row.method = Attendance.Method.SECRETARY
            row.delegates = present[row.unit_id]
            row.save()
        url = reverse("meetings:meeting_detail", args=[meeting.pk])
        for p in m.get("polls", []):
            poll = Poll.objects.filter(meeting=meeting, title=p["title"]).first()
            if poll is None:
                fields = {
                    "kind": p["kind"],
                    "title": p["title"],
                    "mode": Poll.Mode.REPORTED,
                    "seats": p.get("seats", 1),
                    "max_marks": p.get("seats", 1),
                    "basis": "Quy chế hoạt động của Khối",
                    "reported_note": p["basis"],
                }
                if p["kind"] == Poll.Kind.AWARD:
                    fields["award_title"] = _award_title(p["award_title"])
                poll = services.poll_create(
                    meeting=meeting,
                    candidates=[units[(org, c)] for c in p.get("candidates", [])],
                    **fields,
                )
            if poll.status == Poll.Status.DRAFT:
                winner_ids = [units[(org, c)].pk for c in p.get("winners", [])]
                services.poll_record_reported(
                    poll=poll,
                    winners=list(poll.candidates.filter(unit_id__in=winner_ids)),
                    adopted=p.get("adopted"),
                    decided_by=p.get("decided_by", ""),
                    basis=p["basis"],
                    meeting_url=url,
                )
