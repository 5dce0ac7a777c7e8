"""IDOR across every app: any route whose main id belongs to another province answers 404
(or 403) to GET and POST, and nothing changes in the database."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from .test_csrf import _all_routes


@pytest.fixture
def theirs(world, settings, tmp_path):
    """A meeting, an open poll and a finalized minutes of Tây Ninh's bloc."""
    from awards.models import AwardTitle
    from documents import services as documents
    from meetings import services as meetings
    from meetings.models import Attendance, Poll

    settings.MEDIA_ROOT = tmp_path
    by = world.other_bloc_year
    meeting = meetings.meeting_create(
        bloc_year=by,
        kind="yearend",
        title="Tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
        ends_at=timezone.make_aware(dt.datetime(2024, 11, 21, 11, 0)),
        place="Hội trường UBND tỉnh",
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Minh Đức, Chánh Văn phòng",
    )
    meeting.attendances.update(status=Attendance.Status.PRESENT)
    units = meetings.member_units(meeting)
    title = AwardTitle.objects.get_or_create(
        code="bang-khen-ubnd-tinh", defaults={"name": "Bằng khen của Chủ tịch UBND tỉnh"}
    )[0]
    # Locked before the poll opens: minutes with an open poll cannot be finalized.
    version = documents.document_finalize(
        kind="minutes",
        subject=meeting,
        actor=world.other_office,
        base_url="https://khoithidua.example",
    )
    poll = meetings.poll_open(
        poll=meetings.poll_create(
            meeting=meeting,
            kind=Poll.Kind.AWARD,
            title="Suy tôn",
            award_title=title,
            candidates=units[:2],
        )
    )
    return {
        "years": by.pk,
        "blocs": by.bloc_id,
        "units": units[0].pk,
        "meetings": meeting.pk,
        "polls": poll.pk,
        "documents/v": version.pk,
        "documents/draft": meeting.pk,
    }


def _cases(theirs):
    for name, pattern in _all_routes():
        if name.startswith("admin:") or "pk" not in pattern.pattern.converters:
            continue
        route = str(pattern.pattern)
        kind = next(
            (k for k in sorted(theirs, key=len, reverse=True) if route.startswith(k + "/")), None
        )
        if kind is None:
            continue
        kwargs = {}
        for arg, conv in pattern.pattern.converters.items():
            if arg == "pk":
                kwargs[arg] = theirs[kind]
            elif conv.__class__.__name__ == "StringConverter":
                kwargs[arg] = "minutes"
            else:
                kwargs[arg] = 1
        yield name, reverse(name, kwargs=kwargs | dict(pattern.default_args))


def _snapshot():
    return {
        m._meta.label: m.objects.count()
        for app in ("blocs", "meetings", "awards", "documents")
        for m in apps.get_app_config(app).get_models()
    }


def test_every_route_with_another_provinces_id_answers_404_and_changes_nothing(
    client, world, theirs
):
    cases = list(_cases(theirs))
    assert len(cases) >= 40
    client.force_login(world.office)
    before = _snapshot()
    leaks = []
    for name, url in cases:
        for method in ("get", "post"):
            response = getattr(client, method)(
                url, {"unit": world.units[0].pk, "status": "present"}
            )
            if response.status_code not in (403, 404, 405):
                leaks.append((method.upper(), name, url, response.status_code))
    assert leaks == []
    assert _snapshot() == before
