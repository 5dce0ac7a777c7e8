"""The main pages, one of each kind, with data behind them: for validity and accessibility checks."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from hall.services import screen_key


def rich_world(world) -> dict:
    """Add a meeting with attendance and an open honour poll to the `world` fixture."""
    from awards.models import AwardTitle
    from meetings import services
    from meetings.models import Attendance, Poll

    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
        place="Hội trường",
    )
    meeting.attendances.filter(unit__in=world.units[:7]).update(status=Attendance.Status.PRESENT)
    title = AwardTitle.objects.get_or_create(
        code="bang-khen-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )[0]
    poll = services.poll_create(
        meeting=meeting,
        kind=Poll.Kind.AWARD,
        title="Suy tôn Bằng khen",
        award_title=title,
        mode=Poll.Mode.SECRET,
        seats=1,
        max_marks=1,
        candidates=world.units[1:3],
    )
    poll = services.poll_open(poll=poll)
    # A published motion, for the public bulletin.
    motion = services.poll_open(
        poll=services.poll_create(meeting=meeting, kind=Poll.Kind.MOTION, title="Thông qua")
    )
    for voter in motion.voters.all():
        services.ballot_cast(voter=voter, choice="yes")
    services.poll_close(poll=motion)
    services.poll_publish(poll=motion)
    return {"meeting": meeting, "poll": poll, "published": motion}


def main_pages(world, extra: dict) -> list[tuple[str, str]]:
    """(name, url) of the main pages, as seen by office staff."""
    by, unit, meeting, poll = world.bloc_year, world.units[0], extra["meeting"], extra["poll"]
    pages = [
        ("dashboard", reverse("dashboard")),
        ("bloc", reverse("blocs:bloc_detail", args=[by.bloc_id])),
        ("bloc form", reverse("blocs:bloc_edit", args=[by.bloc_id])),
        ("rotation form", reverse("blocs:bloc_rotation", args=[by.bloc_id])),
        ("bloc-year", reverse("blocs:bloc_year_detail", args=[by.pk])),
        ("bloc-year form", reverse("blocs:bloc_year_create", args=[by.bloc_id])),
        ("leadership form", reverse("blocs:leadership_set", args=[by.pk])),
        ("unit list", reverse("blocs:unit_list")),
        ("unit", reverse("blocs:unit_detail", args=[unit.pk])),
        ("unit form", reverse("blocs:unit_create")),
        ("unit rename", reverse("blocs:unit_rename", args=[unit.pk])),
        ("unit merge", reverse("blocs:unit_merge", args=[unit.pk])),
        ("registry import", reverse("blocs:registry_import")),
        ("meetings", reverse("meetings:meeting_list", args=[by.pk])),
        ("meeting", reverse("meetings:meeting_detail", args=[meeting.pk])),
        ("meeting form", reverse("meetings:meeting_create", args=[by.pk])),
        ("attendance", reverse("meetings:attendance", args=[meeting.pk])),
        ("poll", reverse("meetings:poll_detail", args=[poll.pk])),
        ("poll form", reverse("meetings:poll_create", args=[meeting.pk])),
        ("poll slips", reverse("meetings:poll_slips", args=[poll.pk])),
        ("poll close", reverse("meetings:poll_close", args=[poll.pk])),
        ("documents", reverse("documents:bloc_year_documents", args=[by.pk])),
        ("meeting documents", reverse("documents:meeting_documents", args=[meeting.pk])),
    ]
    pages += [
        ("awards", reverse("awards:year_awards", args=[by.pk])),
        ("results", reverse("awards:results", args=[by.pk])),
        ("covenant", reverse("awards:covenant", args=[by.pk])),
        ("award catalog", reverse("awards:title_list")),
        ("award report", reverse("awards:award_report")),
    ]
    pages += [
        ("accounts", reverse("accounts:user_list")),
        ("account form", reverse("accounts:user_create")),
        ("account", reverse("accounts:user_detail", args=[world.delegate.pk])),
        ("account import", reverse("accounts:account_import")),
        ("notifications", reverse("notices:notification_list")),
        ("meeting invitations", reverse("notices:meeting_invitations", args=[meeting.pk])),
        ("bloc reminders", reverse("notices:bloc_reminders", args=[by.bloc_id])),
        ("signing settings", reverse("signing:home")),
        ("signing organizer", reverse("signing:organizer", args=[by.bloc.organizer_id])),
        ("my signature image", reverse("signing:my_signature")),
        ("screen console", reverse("hall:console", args=[meeting.pk])),
        ("password change", reverse("accounts:password_change")),
        ("checkin codes", reverse("meetings:checkin_codes", args=[meeting.pk])),
        ("scoring", reverse("awards:scoring", args=[by.pk])),
    ]
    return pages


def anonymous_pages(extra: dict) -> list[tuple[str, str]]:
    return [
        ("login", reverse("login")),
        ("password reset", reverse("accounts:password_reset")),
        ("password reset sent", reverse("accounts:password_reset_done")),
        ("checkin", reverse("meetings:checkin")),
        ("vote: enter code", reverse("meetings:vote")),
        ("vote: poll", reverse("meetings:vote_poll", args=[extra["poll"].pk])),
        ("bulletin", reverse("meetings:poll_bulletin", args=[extra["published"].pk])),
        (
            "hall screen",
            reverse("hall:screen", args=[extra["meeting"].pk, screen_key(extra["meeting"].pk)]),
        ),
    ]
