"""A province merger as one reviewed operation (Hà Giang → Tuyên Quang, 01/07/2025)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from blocs import merger as m
from blocs import services
from blocs.models import (
    Bloc,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    OrganizerMerger,
    RoleAssignment,
    Unit,
    UnitEvent,
)
from tests.factories import OrganizerFactory, UnitFactory, UserFactory, grant

MERGER = dt.date(2025, 7, 1)
BASIS = "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội"
HA_GIANG_UNITS = [
    ("bchqs", "Bộ Chỉ huy Quân sự tỉnh", "Bộ CHQS tỉnh"),
    ("bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "BĐBP tỉnh"),
    ("cong-an", "Công an tỉnh", "CA tỉnh"),
    ("vksnd", "Viện Kiểm sát nhân dân tỉnh", "VKSND tỉnh"),
    ("tand", "Tòa án nhân dân tỉnh", "TAND tỉnh"),
    ("thanh-tra", "Thanh tra tỉnh", "Thanh tra"),
    ("thads", "Cục Thi hành án dân sự tỉnh", "Cục THADS tỉnh"),
    ("so-tu-phap", "Sở Tư pháp", "STP"),
]


@pytest.fixture
def provinces(db):
    tq = OrganizerFactory(
        code="tuyen-quang",
        name="UBND tỉnh Tuyên Quang",
        province="Tuyên Quang",
        office_name="Sở Nội vụ tỉnh Tuyên Quang",
    )
    hg = OrganizerFactory(
        code="ha-giang",
        name="UBND tỉnh Hà Giang",
        province="Hà Giang",
        office_name="Sở Nội vụ tỉnh Hà Giang",
    )
    hg_units = {
        code: UnitFactory(organizer=hg, code=code, name=name, short_name=short)
        for code, name, short in HA_GIANG_UNITS
    }
    # Tuyên Quang's own agencies: other codes (its registry was typed by other people),
    # one matched by short name, one by name only; THADS was renamed at the merger.
    tq_units = {
        "ca": UnitFactory(organizer=tq, code="ca-tq", name="Công an tỉnh", short_name="CA tỉnh"),
        "vks": UnitFactory(
            organizer=tq, code="vks-tq", name="Viện kiểm sát nhân dân tỉnh", short_name=""
        ),
        "thads": UnitFactory(
            organizer=tq, code="thads", name="Thi hành án dân sự tỉnh", short_name="THADS"
        ),
    }
    hg_bloc = Bloc.objects.create(
        organizer=hg, code="knc", name="Khối Nội chính tỉnh Hà Giang", short_name="KNC"
    )
    y2022 = BlocYear.objects.create(bloc=hg_bloc, year=2022)
    for unit in hg_units.values():
        Membership.objects.create(bloc_year=y2022, unit=unit)
    LeadershipTerm.objects.create(
        bloc_year=y2022,
        role="leader",
        unit=hg_units["cong-an"],
        method="appointed",
        status="confirmed",
    )
    office = UserFactory(username="canbo.tq")
    grant(office, "office", tq)
    grant(office, "office", hg)
    hg_only = UserFactory(username="canbo.hg")
    grant(hg_only, "office", hg)
    secretary = UserFactory(username="thuky.hg")
    grant(secretary, "secretary", hg_bloc)
    return {
        "tq": tq,
        "hg": hg,
        "hg_units": hg_units,
        "tq_units": tq_units,
        "hg_bloc": hg_bloc,
        "y2022": y2022,
        "office": office,
        "hg_only": hg_only,
        "secretary": secretary,
    }


def record(p, actor=None):
    return m.merger_record(
        source=p["hg"], target=p["tq"], effective_date=MERGER, basis=BASIS, actor=actor
    )


def test_the_proposal_matches_by_code_short_name_and_name_and_proposes_new_units(provinces):
    p = provinces
    proposal = m.merger_proposal(merger=record(p))
    by_code = {row.obj.code: row for row in proposal.units}
    assert by_code["thads"].default == m.LINK
    assert by_code["thads"].default_target == p["tq_units"]["thads"]
    assert by_code["thads"].guesses[0][1].reason == "code"
    assert by_code["cong-an"].default_target == p["tq_units"]["ca"]
    assert by_code["cong-an"].guesses[0][1].reason == "short_name"
    assert by_code["vksnd"].default_target == p["tq_units"]["vks"]
    assert by_code["vksnd"].guesses[0][1].reason == "name"
    assert by_code["vksnd"].guesses[0][1].label() == "tên gần giống (100%)"
    # Nothing plausible in Tuyên Quang: a new unit is proposed.
    assert by_code["bdbp"].default == m.NEW
    assert [row.obj for row in proposal.blocs] == [p["hg_bloc"]]
    assert proposal.blocs[0].default == m.NEW


def test_recording_the_merger_makes_the_province_defunct_from_its_date(provinces):
    p = provinces
    record(p)
    hg = Organizer.objects.get(pk=p["hg"].pk)
    assert (hg.merged_into, hg.merged_on, hg.merge_basis) == (p["tq"], MERGER, BASIS)
    with pytest.raises(ValidationError) as exc:
        services.bloc_year_create(bloc=p["hg_bloc"], year=2026)
    assert exc.value.message_dict == {
        "year": ["Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025"]
    }
    # A year that began before the merger is history and may still be recorded.
    assert services.bloc_year_create(bloc=p["hg_bloc"], year=2025).year == 2025


def test_confirming_records_lineage_dated_at_the_merger_and_deletes_nothing(provinces):
    p = provinces
    merger = record(p, actor=p["office"])
    counts_before = (Unit.objects.count(), Bloc.objects.count(), Membership.objects.count())
    proposal = m.merger_proposal(merger=merger)
    units = {
        row.obj.pk: m.Choice(row.default, getattr(row.default_target, "pk", None))
        for row in proposal.units
    }
    m.merger_confirm(
        merger=merger,
        units=units,
        blocs={p["hg_bloc"].pk: m.Choice(m.NEW)},
        roles={r.obj.pk: m.MOVE for r in proposal.roles},
        actor=p["office"],
    )
    merger.refresh_from_db()
    assert merger.is_confirmed and merger.summary["units"] == {
        "linked": 3,
        "created": 5,
        "archived": 0,
        "already": 0,
    }
    # Nothing deleted: 5 new units and 1 new bloc were added.
    assert (Unit.objects.count(), Bloc.objects.count(), Membership.objects.count()) == (
        counts_before[0] + 5,
        counts_before[1] + 1,
        counts_before[2],
    )
    for unit in Unit.objects.filter(organizer=p["hg"]):
        assert unit.merged_on == MERGER and unit.merged_into.organizer == p["tq"]
        assert unit.archived_at is not None
        event = unit.events.get(kind=UnitEvent.Kind.MERGED)
        assert (event.effective_date, event.basis) == (MERGER, BASIS)
    assert Unit.objects.get(organizer=p["hg"], code="thads").merged_into == p["tq_units"]["thads"]
    new_bdbp = Unit.objects.get(organizer=p["hg"], code="bdbp").merged_into
    assert (new_bdbp.organizer, new_bdbp.code, new_bdbp.name) == (
        p["tq"],
        "bdbp",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    )
    # History before the date stays Hà Giang's.
    assert set(
        Membership.objects.filter(bloc_year=p["y2022"]).values_list("unit__organizer", flat=True)
    ) == {p["hg"].pk}
    link = BlocSuccession.objects.get(predecessor=p["hg_bloc"])
    assert (link.successor.organizer, link.effective_date) == (p["tq"], MERGER)
    assert link.successor.name == "Khối Nội chính tỉnh Tuyên Quang"
    # Roles moved: the secretary now serves the successor bloc.
    assert RoleAssignment.objects.get(user=p["secretary"]).bloc == link.successor
    with pytest.raises(ValidationError, match="đã được xác nhận"):
        m.merger_confirm(merger=merger, units={}, blocs={})


def test_later_years_of_the_merged_province_move_to_the_successor_bloc(provinces):
    p = provinces
    # A 2026 year created for Hà Giang before the merger was recorded (the old bug).
    y2026 = BlocYear.objects.create(bloc=p["hg_bloc"], year=2026)
    Membership.objects.create(bloc_year=y2026, unit=p["hg_units"]["cong-an"])
    merger = record(p)
    m.merger_confirm(
        merger=merger,
        units={p["hg_units"]["cong-an"].pk: m.Choice(m.LINK, p["tq_units"]["ca"].pk)},
        blocs={p["hg_bloc"].pk: m.Choice(m.NEW)},
    )
    y2026.refresh_from_db()
    assert y2026.bloc.organizer == p["tq"]
    assert list(y2026.memberships.values_list("unit", flat=True)) == [p["tq_units"]["ca"].pk]


def test_a_failing_confirmation_saves_nothing(provinces):
    p = provinces
    merger = record(p)
    with pytest.raises(ValidationError):
        m.merger_confirm(
            merger=merger,
            units={
                p["hg_units"]["bdbp"].pk: m.Choice(m.NEW),
                p["hg_units"]["tand"].pk: m.Choice(m.LINK, p["hg_units"]["vksnd"].pk),
            },
            blocs={},
        )
    assert not Unit.objects.filter(organizer=p["tq"], code="bdbp").exists()
    assert not Unit.objects.filter(organizer=p["hg"], merged_into__isnull=False).exists()
    assert not OrganizerMerger.objects.get(pk=merger.pk).is_confirmed


def test_office_reviews_and_confirms_the_merger_through_the_forms(client, provinces):
    p = provinces
    client.force_login(p["office"])
    response = client.post(
        reverse("blocs:organizer_merge", args=[p["hg"].pk]),
        {"target": p["tq"].pk, "effective_date": "2025-07-01", "basis": BASIS},
    )
    merger = OrganizerMerger.objects.get(source=p["hg"])
    assert response.status_code == 302
    assert response["Location"] == reverse("blocs:merger_review", args=[merger.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    # Every guess is shown with its reason; the defaults are selected.
    assert "Nối vào Công an tỉnh – mã ca-tq (khớp tên viết tắt)" in html
    assert "Nối vào Thi hành án dân sự tỉnh – mã thads (khớp mã)" in html
    assert "Tạo đơn vị mới thuộc UBND tỉnh Tuyên Quang" in html
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, "")}
    # The operator overrides one guess by typing another Tuyên Quang code.
    data[f"unit_{p['hg_units']['tand'].pk}_code"] = "vks-tq-khong-co"
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 422
    assert (
        "UBND tỉnh Tuyên Quang không có đơn vị mã «vks-tq-khong-co»." in response.content.decode()
    )
    del data[f"unit_{p['hg_units']['tand'].pk}_code"]
    response = client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 302
    merger.refresh_from_db()
    assert merger.is_confirmed
    assert Unit.objects.filter(organizer=p["hg"], merged_into__organizer=p["tq"]).count() == 8


def test_only_who_manages_both_provinces_may_record_or_confirm(client, provinces):
    p = provinces
    client.force_login(p["hg_only"])
    response = client.post(
        reverse("blocs:organizer_merge", args=[p["hg"].pk]),
        {"target": p["tq"].pk, "effective_date": "2025-07-01", "basis": BASIS},
    )
    assert response.status_code == 422  # Tuyên Quang is not among their choices
    assert not OrganizerMerger.objects.exists()
    merger = record(p)
    assert client.get(reverse("blocs:merger_review", args=[merger.pk])).status_code == 200
    assert client.post(reverse("blocs:merger_review", args=[merger.pk]), {}).status_code == 403
    assert client.post(reverse("blocs:merger_cancel", args=[merger.pk])).status_code == 403
    client.force_login(p["secretary"])
    assert client.get(reverse("blocs:merger_review", args=[merger.pk])).status_code == 404
    assert client.get(reverse("blocs:organizer_list")).status_code == 403
    other = UserFactory(username="canbo.khac")
    grant(other, "office", OrganizerFactory())
    client.force_login(other)
    assert client.get(reverse("blocs:merger_review", args=[merger.pk])).status_code == 404
    assert client.get(reverse("blocs:organizer_merge", args=[p["hg"].pk])).status_code == 404


def test_a_merger_awaiting_review_can_be_cancelled_and_the_province_lives_again(client, provinces):
    p = provinces
    merger = record(p)
    client.force_login(p["office"])
    assert client.post(reverse("blocs:merger_cancel", args=[merger.pk])).status_code == 302
    hg = Organizer.objects.get(pk=p["hg"].pk)
    assert hg.merged_into is None and not OrganizerMerger.objects.exists()


def test_the_merge_form_offers_the_receiving_provinces_units_with_organizer_and_code(
    client, provinces
):
    p = provinces
    record(p)
    client.force_login(p["office"])
    unit = p["hg_units"]["cong-an"]
    page = client.get(reverse("blocs:unit_merge", args=[unit.pk])).content.decode()
    assert "Công an tỉnh – UBND tỉnh Tuyên Quang – mã ca-tq" in page
    response = client.post(
        reverse("blocs:unit_merge", args=[unit.pk]),
        {"into": p["tq_units"]["ca"].pk, "effective_date": "2025-07-01", "basis": BASIS},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.merged_into, unit.merged_on) == (p["tq_units"]["ca"], MERGER)


def test_the_receiving_unit_can_take_a_predecessor_from_the_merged_province(client, provinces):
    p = provinces
    record(p)
    client.force_login(p["office"])
    target = p["tq_units"]["vks"]
    page = client.get(reverse("blocs:unit_receive", args=[target.pk])).content.decode()
    assert "Viện Kiểm sát nhân dân tỉnh – UBND tỉnh Hà Giang – mã vksnd" in page
    response = client.post(
        reverse("blocs:unit_receive", args=[target.pk]),
        {"source": p["hg_units"]["vksnd"].pk, "effective_date": "2025-06-30", "basis": BASIS},
    )
    assert response.status_code == 422
    assert "chỉ chuyển sang tỉnh khác từ ngày hợp nhất tỉnh (01/07/2025)" in (
        response.content.decode()
    )
    response = client.post(
        reverse("blocs:unit_receive", args=[target.pk]),
        {"source": p["hg_units"]["vksnd"].pk, "effective_date": "2025-07-01", "basis": BASIS},
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=p["hg_units"]["vksnd"].pk).merged_into == target


def test_a_unit_of_an_unrelated_province_cannot_be_merged_across(provinces):
    p = provinces
    stranger = UnitFactory(organizer=OrganizerFactory(), code="cong-an")
    with pytest.raises(ValidationError) as exc:
        services.unit_merge(unit=stranger, into=p["tq_units"]["ca"], effective_date=MERGER)
    assert "Đơn vị tiếp nhận phải thuộc" in exc.value.messages[0]


def test_defunct_province_is_refused_in_every_form(client, provinces):
    p = provinces
    record(p)
    message = "Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025"
    client.force_login(p["office"])
    response = client.post(
        reverse("blocs:bloc_year_create", args=[p["hg_bloc"].pk]),
        {"year": 2026, "copy_members": "on"},
    )
    assert response.status_code == 422 and message in response.content.decode()
    assert not BlocYear.objects.filter(bloc=p["hg_bloc"], year=2026).exists()
    # Not offered for new blocs or units either.
    page = client.get(reverse("blocs:unit_create")).content.decode()
    assert "UBND tỉnh Hà Giang" not in page
    with pytest.raises(ValidationError, match=message):
        services.unit_save(unit=Unit(organizer=p["hg"], code="moi", name="Đơn vị mới"))
    y2025 = BlocYear.objects.create(bloc=p["hg_bloc"], year=2025)
    with pytest.raises(ValidationError, match=message):
        services.membership_add(
            bloc_year=y2025, unit=p["hg_units"]["tand"], joined_on=dt.date(2025, 8, 1)
        )


def test_the_database_refuses_one_unit_as_leader_and_deputy(provinces):
    p = provinces
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipTerm.objects.create(
            bloc_year=p["y2022"],
            role="deputy",
            unit=p["hg_units"]["cong-an"],
            method="appointed",
            status="confirmed",
        )
    with pytest.raises(ValidationError) as exc:
        services.leadership_set(bloc_year=p["y2022"], role="deputy", unit=p["hg_units"]["cong-an"])
    assert exc.value.messages == [
        "Một đơn vị không thể vừa là Khối trưởng vừa là Khối phó trong cùng một năm."
    ]


def test_pages_show_the_lineage_across_provinces(client, provinces):
    p = provinces
    merger = record(p)
    m.merger_confirm(
        merger=merger,
        units={p["hg_units"]["thads"].pk: m.Choice(m.LINK, p["tq_units"]["thads"].pk)},
        blocs={p["hg_bloc"].pk: m.Choice(m.NEW)},
    )
    successor = BlocSuccession.objects.get(predecessor=p["hg_bloc"]).successor
    y2026 = BlocYear.objects.create(bloc=successor, year=2026)
    Membership.objects.create(bloc_year=y2026, unit=p["tq_units"]["thads"])
    client.force_login(p["office"])
    page = client.get(reverse("blocs:unit_detail", args=[p["tq_units"]["thads"].pk]))
    html = page.content.decode()
    assert "Cục Thi hành án dân sự tỉnh" in html and "UBND tỉnh Hà Giang" in html
    rows = page.context["rows"]
    assert [(r["year"], r["name_then"], r["organizer_then"]) for r in rows] == [
        (2026, "Thi hành án dân sự tỉnh", "UBND tỉnh Tuyên Quang"),
        (2022, "Cục Thi hành án dân sự tỉnh", "UBND tỉnh Hà Giang"),
    ]
    # The merged unit's page shows the same whole lineage, and its successor.
    old = client.get(reverse("blocs:unit_detail", args=[p["hg_units"]["thads"].pk]))
    assert [r["year"] for r in old.context["rows"]] == [2026, 2022]
    assert old.context["successors"] == [p["tq_units"]["thads"]]
    # The successor bloc's timeline carries the predecessor's years, marked.
    bloc_page = client.get(reverse("blocs:bloc_detail", args=[successor.pk]))
    assert [y.year for y in bloc_page.context["timeline"]] == [2022]
    assert bloc_page.context["timeline"][0].from_predecessor
    assert "Khối tiền thân" in bloc_page.content.decode()
    assert "Khối Nội chính tỉnh Hà Giang – UBND tỉnh Hà Giang" in bloc_page.content.decode()


def _province_pair(n: int, tag: str):
    target = OrganizerFactory(code=f"b-{tag}", province=f"Nhận {tag}")
    source = OrganizerFactory(code=f"a-{tag}", province=f"Nhập {tag}")
    bloc = Bloc.objects.create(organizer=source, code="k1", name=f"Khối 1 tỉnh Nhập {tag}")
    Bloc.objects.create(organizer=target, code="k1", name=f"Khối 1 tỉnh Nhận {tag}")
    later = BlocYear.objects.create(bloc=bloc, year=2026)
    for i in range(n):
        unit = UnitFactory(organizer=source, code=f"dv-{i}", name=f"Sở số {i} tỉnh")
        UnitFactory(organizer=target, code=f"dv-{i}", name=f"Sở số {i} tỉnh")
        Membership.objects.create(bloc_year=later, unit=unit)
    UnitFactory(organizer=source, code="chi-co-o-a", name="Ban Dân tộc")
    return m.merger_record(source=source, target=target, effective_date=MERGER, basis=BASIS)


def test_proposing_and_confirming_a_merger_takes_the_same_queries_at_any_size(provinces):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n, tag in ((3, "nho"), (12, "lon")):
        merger = _province_pair(n, tag)
        with CaptureQueriesContext(connection) as ctx:
            proposal = m.merger_proposal(merger=merger)
            m.merger_confirm(
                merger=merger,
                units={
                    r.obj.pk: m.Choice(r.default, getattr(r.default_target, "pk", None))
                    for r in proposal.units
                },
                blocs={
                    r.obj.pk: m.Choice(r.default, getattr(r.default_target, "pk", None))
                    for r in proposal.blocs
                },
            )
        counts.append(len(ctx))
        merger.refresh_from_db()
        assert merger.summary["units"] == {"linked": n, "created": 1, "archived": 0, "already": 0}
        assert merger.summary["years_moved"] == 1
        moved = BlocYear.objects.get(bloc__organizer=merger.target, year=2026)
        assert set(moved.memberships.values_list("unit__organizer", flat=True)) == {
            merger.target.pk
        }
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("day", "to", "issuer"),
    [
        (dt.date(2025, 6, 30), "Sở Nội vụ tỉnh Hà Giang", "UBND TỈNH HÀ GIANG"),
        (dt.date(2025, 12, 5), "Sở Nội vụ tỉnh Tuyên Quang", "UBND TỈNH TUYÊN QUANG"),
    ],
)
def test_the_proposal_is_addressed_to_the_office_acting_on_its_date(provinces, day, to, issuer):
    """«Kính gửi» of a tờ trình: Hà Giang's office the day before the merger, Tuyên Quang's
    from the day of it (issue 17 found a 2026 tờ trình addressed to Sở Nội vụ tỉnh Hà Giang)."""
    from django.utils import timezone

    from documents import builders
    from meetings.models import Meeting

    p = provinces
    record(p)
    y2025 = BlocYear.objects.create(bloc=p["hg_bloc"], year=2025)
    Meeting.objects.create(
        bloc_year=y2025,
        kind="yearend",
        title="Hội nghị tổng kết năm 2025",
        starts_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8, 0)),
    )
    snap = builders.build_proposal(BlocYear.objects.get(pk=y2025.pk))  # as a request reads it
    assert snap["to"] == to
    assert snap["issuer"]["parent"] == issuer
