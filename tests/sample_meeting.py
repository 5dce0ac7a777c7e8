"""A complete year-end meeting built through the meetings services, for tests, benchmarks and
looking at the documents: chairs, secretary, guests, attendance with one absence, agenda with
notes, and polls (secret award vote, paper award vote, leader and deputy elections, a motion),
closed and published so that awards and next year's leaders flow through."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from awards.models import AwardTitle
from blocs.models import BlocYear
from meetings import services as ms
from meetings.models import Attendance, Meeting, Poll

AGENDA = [
    (
        "Khai mạc, giới thiệu đại biểu",
        "Đồng chí chủ trì phát biểu khai mạc, giới thiệu thành phần tham dự.",
    ),
    (
        "Báo cáo tổng kết công tác thi đua, khen thưởng năm",
        "Khối trưởng trình bày báo cáo tổng kết; các đơn vị hoàn thành tốt các chỉ tiêu giao ước.",
    ),
    ("Thảo luận", "Các đơn vị phát biểu ý kiến, thống nhất với nội dung báo cáo."),
    ("Công bố kết quả chấm điểm", "Công bố bảng điểm thống nhất và xếp hạng các đơn vị."),
    ("Bình xét, suy tôn đơn vị dẫn đầu", "Bỏ phiếu kín suy tôn đơn vị đề nghị tặng Cờ thi đua."),
    ("Bình xét đơn vị xuất sắc", "Bỏ phiếu đề nghị tặng Bằng khen."),
    ("Bầu Khối trưởng, Khối phó năm sau", "Bỏ phiếu kín bầu Khối trưởng và Khối phó."),
    ("Ký kết giao ước thi đua năm sau", "Các đơn vị thành viên ký kết giao ước thi đua."),
    ("Phát biểu của lãnh đạo tỉnh", "Đồng chí khách mời phát biểu chỉ đạo."),
    ("Bế mạc", "Thông qua biên bản hội nghị."),
]


def _title(code: str, name: str) -> AwardTitle:
    title, _ = AwardTitle.objects.get_or_create(
        code=code, defaults={"name": name, "voting_required": True}
    )
    return title


def make_meeting(
    bloc_year: BlocYear, *, agenda_items: int = 10, polls: int = 5, absent: int = 1
) -> Meeting:
    units = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("unit__name")]
    tz = timezone.get_current_timezone()
    meeting = ms.meeting_create(
        bloc_year=bloc_year,
        kind=Meeting.Kind.YEAREND,
        title=f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {bloc_year.year}",
        starts_at=dt.datetime(bloc_year.year, 12, 5, 8, 0, tzinfo=tz),
        ends_at=dt.datetime(bloc_year.year, 12, 5, 11, 30, tzinfo=tz),
        place=f"Hội trường {units[0].name}",
        host_unit=units[0],
        chairs=f"Nguyễn Văn Hùng, Chánh án, {units[0].name}\nTrần Thị Lan, Phó Viện trưởng, {units[1].name}",
        secretary_name=f"Lê Minh Đức, Chánh Văn phòng, {units[0].name}",
    )
    ms.guest_add(meeting=meeting, name="Phạm Thị Hồng", position="Phó Chủ tịch UBND tỉnh")
    ms.guest_add(
        meeting=meeting,
        name="Đỗ Quang Vinh",
        position="Trưởng phòng Thi đua, khen thưởng",
        organisation="Sở Nội vụ",
    )
    for i, (title, conclusion) in enumerate(AGENDA[:agenda_items], 1):
        item = meeting.agenda_items.model(
            meeting=meeting,
            order=i,
            title=title,
            conclusion=conclusion,
            speaker="Đại diện " + units[i % len(units)].name,
        )
        ms.agenda_item_save(item=item)
    for i, unit in enumerate(units):
        if i >= len(units) - absent:
            ms.attendance_mark(
                meeting=meeting,
                unit=unit,
                status=Attendance.Status.ABSENT,
                reason="Bận công tác đột xuất",
            )
        else:
            ms.attendance_mark(
                meeting=meeting,
                unit=unit,
                status=Attendance.Status.PRESENT,
                delegates=f"Đại diện lãnh đạo {unit.short_name or unit.name}",
            )
    co = _title("co-thi-dua-ubnd-tinh", "Cờ thi đua của Ủy ban nhân dân tỉnh")
    bk = _title("bang-khen-chu-tich-ubnd-tinh", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh")
    specs = [
        dict(
            kind=Poll.Kind.AWARD,
            award_title=co,
            title="Suy tôn đơn vị dẫn đầu đề nghị tặng Cờ thi đua",
            seats=1,
            max_marks=1,
            candidates=units[:3],
            pick=lambda k: [0],
        ),
        dict(
            kind=Poll.Kind.AWARD,
            award_title=bk,
            title="Bình xét đơn vị đề nghị tặng Bằng khen",
            seats=2,
            max_marks=2,
            candidates=units[3:7],
            pick=lambda k: [0, 1 + k % 3],
        ),
        dict(
            kind=Poll.Kind.LEADER,
            title=f"Bầu Khối trưởng năm {bloc_year.year + 1}",
            candidates=units[1:3],
            pick=lambda k: [0 if k % 4 else 1],
        ),
        dict(
            kind=Poll.Kind.DEPUTY,
            title=f"Bầu Khối phó năm {bloc_year.year + 1}",
            candidates=units[2:4],
            pick=lambda k: [1 if k % 3 else 0],
        ),
        dict(
            kind=Poll.Kind.MOTION,
            title="Thông qua chương trình công tác thi đua năm sau",
            candidates=[],
            pick=None,
        ),
    ]
    for spec in specs[:polls]:
        pick = spec.pop("pick")
        cands = spec.pop("candidates")
        poll = ms.poll_create(
            meeting=meeting,
            candidates=cands,
            mode=Poll.Mode.SECRET,
            counting_committee=f"Hoàng Văn Nam, Trưởng ban, {units[2].name}\nVũ Thị Mai, Thành viên, {units[3].name}\nBùi Đức Long, Thành viên, {units[4].name}",
            **spec,
        )
        ms.poll_open(poll=poll)
        cand_ids = list(poll.candidates.order_by("order").values_list("pk", flat=True))
        for k, voter in enumerate(poll.voters.select_related("poll").order_by("unit__name")):
            if poll.is_motion:
                ms.ballot_cast(voter=voter, choice="yes" if k % 5 else "abstain")
            else:
                marks = [cand_ids[j] for j in pick(k) if j < len(cand_ids)]
                ms.ballot_cast(voter=voter, marks=marks, blank=not marks)
        ms.poll_close(poll=poll, confirm_low_turnout=True)
        ms.poll_publish(poll=poll)
    return meeting
