"""Names as of a date (blocs.names): units, blocs, organizers and their offices, with the
2025 province mergers, on the day before and on the day of each change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from blocs import names, services
from blocs.models import BlocYear, Organizer, Unit
from tests.factories import BlocFactory, OrganizerFactory, UnitFactory, can_tho_with_soc_trang

MERGER = dt.date(2025, 7, 1)
BEFORE = MERGER - dt.timedelta(days=1)


@pytest.fixture
def provinces(db):
    tuyen_quang = OrganizerFactory(
        code="tuyen-quang",
        name="UBND tỉnh Tuyên Quang",
        province="Tuyên Quang",
        place_name="Tuyên Quang",
        office_name="Sở Nội vụ tỉnh Tuyên Quang",
    )
    ha_giang = OrganizerFactory(
        code="ha-giang",
        name="UBND tỉnh Hà Giang",
        province="Hà Giang",
        place_name="Hà Giang",
        office_name="Sở Nội vụ tỉnh Hà Giang",
        merged_into=tuyen_quang,
        merged_on=MERGER,
    )
    can_tho, soc_trang = can_tho_with_soc_trang(MERGER)
    return {"tq": tuyen_quang, "hg": ha_giang, "ct": can_tho, "st": soc_trang}


def test_a_merged_province_keeps_its_names_the_day_before_and_its_successor_acts_from_the_day(
    provinces,
):
    hg = provinces["hg"]
    before = names.organizer_on(hg, BEFORE)
    on = names.organizer_on(hg, MERGER)
    assert (before.name, before.office_name, before.place_name, before.title) == (
        "UBND tỉnh Hà Giang",
        "Sở Nội vụ tỉnh Hà Giang",
        "Hà Giang",
        "tỉnh Hà Giang",
    )
    assert not before.succeeded
    assert (on.name, on.office_name, on.place_name, on.title) == (
        "UBND tỉnh Tuyên Quang",
        "Sở Nội vụ tỉnh Tuyên Quang",
        "Tuyên Quang",
        "tỉnh Tuyên Quang",
    )
    assert on.succeeded and on.organizer_id == provinces["tq"].pk
    assert names.office_name_on(hg, BEFORE) == "Sở Nội vụ tỉnh Hà Giang"
    assert names.office_name_on(hg, MERGER) == "Sở Nội vụ tỉnh Tuyên Quang"
    assert names.name_on(hg, BEFORE) == "UBND tỉnh Hà Giang"
    assert names.name_on(hg, MERGER) == "UBND tỉnh Tuyên Quang"
    # Without following the succession, the defunct province is still asked about by name.
    assert names.organizer_on(hg, MERGER, follow=False).name == "UBND tỉnh Hà Giang"


def test_the_surviving_province_has_the_same_names_on_both_days(provinces):
    tq = provinces["tq"]
    assert names.organizer_on(tq, BEFORE) == names.organizer_on(tq, MERGER)
    assert names.office_name_on(tq, BEFORE) == "Sở Nội vụ tỉnh Tuyên Quang"


def test_a_city_is_addressed_as_thanh_pho(provinces):
    assert names.organizer_on(provinces["st"], MERGER).title == "thành phố Cần Thơ"
    assert names.organizer_on(provinces["st"], BEFORE).title == "tỉnh Sóc Trăng"


def test_the_defunct_message_is_exact(provinces):
    assert provinces["hg"].defunct_message() == (
        "Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025"
    )
    assert provinces["st"].defunct_message() == (
        "Tỉnh Sóc Trăng đã hợp nhất vào thành phố Cần Thơ từ 01/07/2025"
    )
    provinces["hg"].ensure_active_on(BEFORE)  # no error the day before
    with pytest.raises(ValidationError) as exc:
        provinces["hg"].ensure_active_on(MERGER, "organizer")
    assert exc.value.message_dict == {
        "organizer": ["Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025"]
    }


def test_an_office_renamed_on_a_date_keeps_its_old_name_before_it(provinces):
    tq = provinces["tq"]
    services.organizer_rename(
        organizer=tq,
        effective_date=dt.date(2025, 3, 1),
        office_name="Sở Nội vụ tỉnh Tuyên Quang (mới)",
        basis="Quyết định thử",
    )
    tq.refresh_from_db()
    assert names.office_name_on(tq, dt.date(2025, 2, 28)) == "Sở Nội vụ tỉnh Tuyên Quang"
    assert names.office_name_on(tq, dt.date(2025, 3, 1)) == "Sở Nội vụ tỉnh Tuyên Quang (mới)"
    # The merged province's office follows its successor's name of that day.
    assert names.office_name_on(provinces["hg"], MERGER) == "Sở Nội vụ tỉnh Tuyên Quang (mới)"
    assert names.name_on(tq, dt.date(2025, 2, 28)) == "UBND tỉnh Tuyên Quang"


def test_an_organizer_rename_before_the_previous_one_is_refused(provinces):
    tq = provinces["tq"]
    services.organizer_rename(organizer=tq, effective_date=dt.date(2025, 3, 1), name="A")
    with pytest.raises(ValidationError) as exc:
        services.organizer_rename(organizer=tq, effective_date=dt.date(2025, 2, 1), name="B")
    assert "Ngày hiệu lực phải sau lần đổi tên trước (01/03/2025)." in exc.value.messages


def test_a_unit_renamed_at_the_merger_has_its_old_name_the_day_before(provinces):
    unit = UnitFactory(organizer=provinces["tq"], name="Cục Thi hành án dân sự tỉnh")
    services.unit_rename(unit=unit, new_name="Thi hành án dân sự tỉnh", effective_date=MERGER)
    unit = Unit.objects.prefetch_related("former_names").get(pk=unit.pk)
    assert names.name_on(unit, BEFORE) == "Cục Thi hành án dân sự tỉnh"
    assert names.name_on(unit, MERGER) == "Thi hành án dân sự tỉnh"


def test_a_merged_unit_keeps_its_own_name_and_names_its_successor(provinces):
    old = UnitFactory(organizer=provinces["hg"], code="cong-an", name="Công an tỉnh")
    new = UnitFactory(organizer=provinces["tq"], code="cong-an", name="Công an tỉnh")
    services.unit_merge(unit=old, into=new, effective_date=MERGER)
    old.refresh_from_db()
    assert names.name_on(old, MERGER) == "Công an tỉnh"
    assert names.unit_successor_on(old, BEFORE) == old
    assert names.unit_successor_on(old, MERGER) == new


def test_a_bloc_renamed_keeps_its_old_name_for_earlier_documents(provinces):
    bloc = BlocFactory(organizer=provinces["tq"], name="Khối Nội chính", short_name="KNC")
    services.bloc_rename(bloc=bloc, new_name="Khối thi đua Nội chính tỉnh", effective_date=MERGER)
    bloc.refresh_from_db()
    assert names.name_on(bloc, BEFORE) == "Khối Nội chính"
    assert names.name_on(bloc, MERGER) == "Khối thi đua Nội chính tỉnh"
    assert names.short_name_on(bloc, BEFORE) == "KNC"
    # The same dated-name methods as a unit (blocs.models.NamedOverTime).
    assert (bloc.name_on(BEFORE), bloc.short_name_on(BEFORE)) == ("Khối Nội chính", "KNC")
    assert bloc.name_in_year(2024) == "Khối Nội chính"
    assert bloc.name_in_year(MERGER.year) == "Khối thi đua Nội chính tỉnh"


def test_a_year_of_a_merged_province_shows_names_of_its_last_day(provinces):
    bloc = BlocFactory(organizer=provinces["hg"])
    y2025 = BlocYear.objects.create(bloc=bloc, year=2025)
    y2022 = BlocYear.objects.create(bloc=bloc, year=2022)
    assert y2022.reference_date == dt.date(2022, 12, 31)
    assert y2025.reference_date == BEFORE


def test_names_sort_in_vietnamese_order():
    words = ["Viện Kiểm sát", "Đảng ủy", "Công an tỉnh", "Cục Thi hành án", "Bộ Chỉ huy", "Dân vận"]
    assert sorted(words, key=names.sort_key) == [
        "Bộ Chỉ huy",
        "Công an tỉnh",
        "Cục Thi hành án",
        "Dân vận",
        "Đảng ủy",
        "Viện Kiểm sát",
    ]


def test_lists_sort_by_the_name_of_the_day_shown(provinces):
    a = UnitFactory(organizer=provinces["tq"], name="Ủy ban A")
    b = UnitFactory(organizer=provinces["tq"], name="Ban B")
    services.unit_rename(unit=a, new_name="An ninh", effective_date=MERGER)
    units = list(Unit.objects.filter(pk__in=[a.pk, b.pk]).prefetch_related("former_names"))
    assert [names.name_on(u, BEFORE) for u in names.sorted_by_name(units, BEFORE)] == [
        "Ban B",
        "Ủy ban A",
    ]
    assert [names.name_on(u, MERGER) for u in names.sorted_by_name(units, MERGER)] == [
        "An ninh",
        "Ban B",
    ]


def test_template_filters_give_names_of_the_date(provinces):
    template = Template(
        "{% load registry %}{{ org|name_on:day }} / {{ org|office_on:day }} / {{ org|name_in_year:2022 }}"
    )
    hg = Organizer.objects.get(pk=provinces["hg"].pk)
    assert (
        template.render(Context({"org": hg, "day": BEFORE}))
        == "UBND tỉnh Hà Giang / Sở Nội vụ tỉnh Hà Giang / UBND tỉnh Hà Giang"
    )
    assert (
        template.render(Context({"org": hg, "day": MERGER}))
        == "UBND tỉnh Tuyên Quang / Sở Nội vụ tỉnh Tuyên Quang / UBND tỉnh Hà Giang"
    )
