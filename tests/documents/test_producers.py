"""The covenant (awards.covenants.covenant_data) and the paper ballots
(meetings.minutes.ballots_data) are typed values produced by the app that owns the data;
documents.builders renders them and reads nothing else of those apps."""

from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.covenants import CovenantData, covenant_data
from awards.models import AwardQuota, AwardTitle, Covenant, CovenantSignature, CovenantTarget
from blocs.models import UnitName
from documents import builders, services
from legal.models import UnitHead
from meetings import services as ms
from meetings.minutes import BallotsData, ballots_data
from meetings.models import Meeting, Poll
from tests.factories import make_bloc_year
from tests.sample_meeting import make_meeting


def _covenant(bloc_year, units):
    covenant = Covenant.objects.create(
        bloc_year=bloc_year,
        title="Giao ước thi đua năm 2024",
        plan_reference="Kế hoạch số 12/KH-KTĐ ngày 10/01/2024",
        content="Các đơn vị thống nhất ký kết giao ước thi đua năm 2024.",
    )
    CovenantTarget.objects.create(
        covenant=covenant,
        position=2,
        text="Tỷ lệ giải quyết đơn thư",
        measurable=True,
        target_value=Decimal("95.5"),
        measure_unit="%",
    )
    CovenantTarget.objects.create(covenant=covenant, position=1, text="Hoàn thành 100% nhiệm vụ")
    CovenantSignature.objects.create(
        covenant=covenant,
        unit=units[0],
        representative_name="Nguyễn Thị Hạnh",
        representative_position="Giám đốc",
        signed_on=dt.date(2024, 2, 3),
    )
    CovenantSignature.objects.create(
        covenant=covenant,
        unit=units[1],
        representative_name="Lê Văn Bình",
        representative_position="Phó Giám đốc",
        signed_on=dt.date(2024, 2, 5),
    )
    return covenant


def test_the_covenant_value_holds_its_targets_its_signers_and_the_last_signing_day(world):
    units = world.units
    _covenant(world.bloc_year, units)
    # A unit that has not signed yet shows the head recorded for the covenant's day, under the
    # name it bore that day.
    UnitHead.objects.create(
        unit=units[2],
        full_name="Trần Văn Cường",
        title="Cục trưởng",
        valid_from=dt.date(2020, 1, 1),
    )
    UnitName.objects.create(
        unit=units[2], name="Cục Thi hành án dân sự tỉnh", valid_until=dt.date(2025, 3, 1)
    )
    data = covenant_data(world.bloc_year)
    assert isinstance(data, CovenantData)
    assert data.exists and data.year == 2024 and data.version == 1
    assert data.title == "Giao ước thi đua năm 2024"
    assert data.plan_reference == "Kế hoạch số 12/KH-KTĐ ngày 10/01/2024"
    assert data.date == dt.date(2024, 2, 5) == data.signed_on
    assert [(t.text, t.value, t.measure_unit) for t in data.targets] == [
        ("Hoàn thành 100% nhiệm vụ", None, ""),
        ("Tỷ lệ giải quyết đơn thư", Decimal("95.5"), "%"),
    ]
    by_unit = {s.unit_id: s for s in data.signers}
    assert len(data.signers) == 8
    assert (by_unit[units[0].pk].name, by_unit[units[0].pk].title) == (
        "Nguyễn Thị Hạnh",
        "Giám đốc",
    )
    assert by_unit[units[1].pk].signed_on == dt.date(2024, 2, 5)
    head = by_unit[units[2].pk]
    assert (head.unit, head.name, head.title, head.signed) == (
        "Cục Thi hành án dân sự tỉnh",
        "Trần Văn Cường",
        "Cục trưởng",
        False,
    )
    assert not by_unit[units[3].pk].name and not by_unit[units[3].pk].signed
    assert any(
        "Các đơn vị chưa ký giao ước" in m and "Cục Thi hành án dân sự tỉnh" in m
        for m in data.missing
    )


def test_the_covenant_document_renders_the_value_and_nothing_else(world):
    units = world.units
    _covenant(world.bloc_year, units)
    snap = services.draft_snapshot("covenant", world.bloc_year)
    assert snap["date"] == "2024-02-05"
    assert snap["subject"] == "Giao ước thi đua năm 2024"
    assert [t["text"] for t in snap["targets"]] == [
        "Hoàn thành 100% nhiệm vụ",
        "Tỷ lệ giải quyết đơn thư (chỉ tiêu: 95,50 %)",
    ]
    first = next(u for u in snap["units"] if u["sign_role"] == f"unit-{units[0].pk}")
    assert (first["roles"], first["title"], first["name"], first["signed"]) == (
        [units[0].name.upper()],
        "Giám đốc",
        "Nguyễn Thị Hạnh",
        True,
    )
    # Six units neither signed nor have a head recorded: finalize says so, unit by unit.
    assert sum("chưa ghi họ tên và chức vụ" in m for m in snap["missing"]) == 6
    source = inspect.getsource(builders)
    for guess in ("getattr(", "def _related", "Covenant.objects", "Nomination", ".signatures"):
        assert guess not in source


def test_no_covenant_is_a_value_that_says_so(world):
    data = covenant_data(world.bloc_year)
    assert not data.exists and data.targets == () and data.signed_on is None
    assert data.date == world.bloc_year.reference_date
    assert len(data.signers) == 8 and not any(s.signed for s in data.signers)
    assert data.missing == ["Chưa có bản giao ước năm 2024 (trang Giao ước)."]


def test_a_superseded_covenant_is_never_the_one_printed(world):
    old = _covenant(world.bloc_year, world.units)
    old.status = Covenant.Status.SUPERSEDED
    old.save(update_fields=["status"])
    Covenant.objects.create(
        bloc_year=world.bloc_year,
        version=2,
        previous=old,
        title="Giao ước thi đua năm 2024 (sửa đổi)",
    )
    data = covenant_data(world.bloc_year)
    assert (data.version, data.title, data.targets) == (
        2,
        "Giao ước thi đua năm 2024 (sửa đổi)",
        (),
    )
    assert data.signed_on is None


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_covenant_value_costs_the_same_queries_for_8_or_20_units(world):
    _covenant(world.bloc_year, world.units)
    big = make_bloc_year(20, year=2024, organizer=world.organizer)
    big_units = [m.unit for m in big.memberships.all()]
    _covenant(big, big_units)
    assert _queries(lambda: covenant_data(world.bloc_year)) == _queries(lambda: covenant_data(big))


def test_paper_ballots_are_one_set_per_poll_with_its_candidates_seats_and_roll(world):
    meeting = make_meeting(world.bloc_year)  # 7 of 8 units present, electronic polls
    data = ballots_data(meeting)
    assert isinstance(data, BallotsData)
    assert data.date == dt.date(2024, 12, 5) and data.voters == 7
    polls = list(meeting.polls.exclude(kind="motion").order_by("created_at", "id"))
    assert [s.title for s in data.sets] == [p.title for p in polls]
    bk = next(s for s in data.sets if "Bằng khen" in s.title)
    poll = meeting.polls.get(title=bk.title)
    assert bk.seats == 2 and bk.copies == poll.roll_size == 7 and bk.poll_id == poll.pk
    assert list(bk.candidates) == [
        c.unit.name for c in poll.candidates.select_related("unit").order_by("order", "id")
    ]
    assert data.missing == []
    snap = services.draft_snapshot("ballots", meeting)
    assert len(snap["ballots"]) == sum(s.copies for s in data.sets)
    assert {b["set"] for b in snap["ballots"]} == {s.title for s in data.sets}


def test_a_paper_poll_is_printed_alone_when_the_meeting_has_one(world):
    meeting = make_meeting(world.bloc_year, polls=2)
    units = world.units
    paper = ms.poll_create(
        meeting=meeting,
        candidates=units[:3],
        mode=Poll.Mode.PAPER,
        kind=Poll.Kind.AWARD,
        award_title=AwardTitle.objects.get(code="bang-khen-chu-tich-ubnd-tinh"),
        title="Bình xét đơn vị đề nghị tặng Giấy khen",
        seats=1,
        max_marks=1,
    )
    data = ballots_data(meeting)
    assert [(s.title, s.seats, s.poll_id) for s in data.sets] == [
        ("Bình xét đơn vị đề nghị tặng Giấy khen", 1, paper.pk)
    ]
    assert data.sets[0].copies == 7  # not opened yet: the units present


def test_before_any_poll_the_ballots_list_the_year_nominees_with_the_quota_as_seats(world):
    from awards.models import Nomination

    meeting = Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
    )
    co = AwardTitle.objects.create(code="co-td", name="Cờ thi đua của UBND tỉnh", rank=1)
    bk = AwardTitle.objects.create(code="bk", name="Bằng khen của Chủ tịch UBND tỉnh", rank=2)
    AwardQuota.objects.create(bloc_year=world.bloc_year, award_title=bk, max_count=2)
    units = sorted(world.units, key=lambda u: u.name)
    for title, picked in ((co, units[:2]), (bk, units[2:5])):
        for i, unit in enumerate(picked):
            Nomination.objects.create(
                bloc_year=world.bloc_year, award_title=title, unit=unit, status="candidate", rank=i
            )
    data = ballots_data(meeting)
    assert (
        [(s.title, s.candidates, s.seats, s.copies, s.poll_id) for s in data.sets]
        == [
            (
                "Bầu chọn đơn vị đề nghị tặng Cờ thi đua của UBND tỉnh",
                tuple(u.name for u in units[:2]),
                2,  # no quota recorded: every nominee may be marked
                8,  # nobody marked present yet: every member unit
                None,
            ),
            (
                "Bầu chọn đơn vị đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh",
                tuple(u.name for u in units[2:5]),
                2,  # the year's quota
                8,
                None,
            ),
        ]
    )


def test_a_meeting_without_poll_or_nominee_has_no_ballot_and_says_what_to_record(world):
    meeting = Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="midyear",
        title="Hội nghị sơ kết 6 tháng",
        starts_at=timezone.make_aware(dt.datetime(2024, 7, 5, 8, 0)),
    )
    data = ballots_data(meeting)
    assert data.sets == () and data.missing
    assert services.draft_snapshot("ballots", meeting)["ballots"] == []


@pytest.mark.parametrize("kind", ["covenant", "ballots"])
def test_the_builder_calls_the_owning_apps_producer(kind, world, monkeypatch):
    """A change in the producer's value is what the document shows: the builder has no other
    source (here, a stub value with a unit name that exists nowhere in the database)."""
    if kind == "covenant":
        import awards.covenants as producer

        fake = producer.CovenantData(
            bloc_year_id=world.bloc_year.pk,
            year=2024,
            exists=True,
            version=1,
            title="Giao ước mẫu",
            intro="Lời mở đầu.",
            plan_reference="",
            date=dt.date(2024, 3, 1),
            signed_on=dt.date(2024, 3, 1),
            targets=(producer.TargetLine("Chỉ tiêu A", None, ""),),
            signers=(
                producer.CovenantSigner(
                    1, "Đơn vị Không Có Thật", "Người Ký", "Giám đốc", dt.date(2024, 3, 1)
                ),
            ),
        )
        monkeypatch.setattr(producer, "covenant_data", lambda by: fake)
        snap = services.draft_snapshot("covenant", world.bloc_year)
        assert [(u["unit"], u["name"]) for u in snap["units"]] == [
            ("Đơn vị Không Có Thật", "Người Ký")
        ]
        assert snap["missing"] == []
    else:
        import meetings.minutes as producer

        meeting = Meeting.objects.create(
            bloc_year=world.bloc_year,
            kind="yearend",
            title="Hội nghị",
            starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
        )
        fake = producer.BallotsData(
            meeting_id=meeting.pk,
            bloc_year_id=world.bloc_year.pk,
            date=dt.date(2024, 12, 5),
            title="Hội nghị",
            voters=3,
            sets=(producer.BallotSet("Bầu mẫu", ("Đơn vị Không Có Thật",), 1, 3, None),),
        )
        monkeypatch.setattr(producer, "ballots_data", lambda m: fake)
        snap = services.draft_snapshot("ballots", meeting)
        assert [b["candidates"] for b in snap["ballots"]] == [["Đơn vị Không Có Thật"]] * 3


def test_what_is_missing_is_said_in_the_readers_language_and_the_document_stays_vietnamese(
    world,
):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    meeting = Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
    )
    with translation.override("en"):
        minutes = [str(m) for m in services.finalize_offer("minutes", meeting)["missing"]]
        covenant = [str(m) for m in services.finalize_offer("covenant", world.bloc_year)["missing"]]
        proposal = [str(m) for m in services.finalize_offer("proposal", world.bloc_year)["missing"]]
        with pytest.raises(ValidationError) as refused:
            services.document_finalize(kind="covenant", subject=world.bloc_year)
        assert "TRƯỞNG BAN" not in services.draft_snapshot("minutes", meeting)["title"]
        assert services.draft_snapshot("minutes", meeting)["title"] == "BIÊN BẢN"
    assert "Meeting secretary: enter the full name and position (meeting page)." in minutes
    assert "Meeting end time (meeting page)." not in minutes  # offered in the lock form instead
    assert "No covenant recorded for 2024 (Covenant page)." in covenant
    assert "No collective or individual is proposed for an award in 2024." in proposal
    assert any(m.startswith("Signer (") and "not recorded" in m for m in proposal)
    assert refused.value.messages[0].startswith("The document cannot be locked yet; record: (1)")
    with translation.override("vi"):
        offer = services.finalize_offer("covenant", world.bloc_year)
        assert [str(m) for m in offer["missing"]][0] == (
            "Chưa có bản giao ước năm 2024 (trang Giao ước)."
        )


def test_the_ballots_value_costs_the_same_queries_for_two_or_four_polls(world):
    small = make_meeting(world.bloc_year, polls=2)
    other = make_bloc_year(8, year=2024, organizer=world.organizer)
    big = make_meeting(other, polls=4)
    assert len(ballots_data(small).sets) == 2 and len(ballots_data(big).sets) == 4
    assert _queries(lambda: ballots_data(small)) == _queries(lambda: ballots_data(big))
