"""The official province lists (vietnam-provinces) and `manage.py load_provinces`."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from blocs import names
from blocs.models import Organizer, OrganizerMerger
from blocs.provinces import official_lists
from tests.factories import OrganizerFactory, UnitFactory


@pytest.fixture(scope="module")
def lists():
    return official_lists()


def test_the_package_lists_34_provinces_63_legacy_and_29_mergers(lists):
    assert len(lists.current) == 34
    assert len(lists.legacy) == 63
    merged = {old.province: new.province for old, new in lists.merged()}
    assert len(merged) == 29
    assert merged["Hà Giang"] == "Tuyên Quang"
    assert merged["Sóc Trăng"] == merged["Hậu Giang"] == "Cần Thơ"
    assert merged["Bắc Giang"] == "Bắc Ninh"
    assert merged["Long An"] == "Tây Ninh"
    # Tiền Giang's wards went to two provinces; its successor is the one with most of them.
    assert merged["Tiền Giang"] == "Đồng Tháp"
    assert lists.current["08"].province == "Tuyên Quang"
    assert lists.legacy["02"].province == "Hà Giang"
    assert lists.current["92"].division == "thanh_pho"


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_provinces", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_provinces_creates_the_organizers_and_records_the_mergers_once():
    output = run()
    assert Organizer.objects.count() == 63
    assert Organizer.objects.exclude(official_code="").count() == 34
    tq = Organizer.objects.get(official_code="08")
    hg = Organizer.objects.get(legacy_code="02")
    assert (tq.name, tq.office_name, tq.legacy_code) == (
        "UBND tỉnh Tuyên Quang",
        "Sở Nội vụ tỉnh Tuyên Quang",
        "08",
    )
    assert (hg.merged_into, hg.merged_on) == (tq, dt.date(2025, 7, 1))
    assert hg.merger.is_confirmed and "202/2025/QH15" in hg.merger.basis
    assert hg.defunct_message() == "Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025"
    assert names.office_name_on(hg, dt.date(2025, 7, 1)) == "Sở Nội vụ tỉnh Tuyên Quang"
    assert OrganizerMerger.objects.filter(status="confirmed").count() == 29
    assert "29 tỉnh đã hợp nhất" in output
    assert "Cơ quan tổ chức tạo mới: 63" in output
    again = run()
    assert Organizer.objects.count() == 63 and OrganizerMerger.objects.count() == 29
    assert "Cơ quan tổ chức tạo mới: 0; gán mã: 0; hợp nhất ghi nhận: 0" in again


@pytest.mark.django_db
def test_existing_organizers_get_their_codes_and_a_merger_with_units_awaits_review():
    tq = OrganizerFactory(code="tuyen-quang", name="UBND tỉnh Tuyên Quang", province="Tuyên Quang")
    hg = OrganizerFactory(code="ha-giang", name="UBND tỉnh Hà Giang", province="Hà Giang")
    UnitFactory(organizer=hg, code="cong-an", name="Công an tỉnh")
    output = run()
    tq.refresh_from_db()
    hg.refresh_from_db()
    assert (tq.official_code, tq.legacy_code) == ("08", "08")
    assert (hg.official_code, hg.legacy_code, hg.merged_into) == ("", "02", tq)
    assert not hg.merger.is_confirmed
    assert (
        f"Chờ duyệt: UBND tỉnh Hà Giang → UBND tỉnh Tuyên Quang (1 đơn vị, 0 khối) tại /mergers/{hg.merger.pk}/"
        in output
    )


@pytest.mark.django_db
def test_names_that_differ_from_the_list_change_only_with_a_date_and_a_basis():
    bn = OrganizerFactory(
        code="bac-ninh",
        name="UBND tỉnh Bắc Ninh",
        province="Bắc Ninh",
        office_name="Sở Nội vụ tỉnh Bắc Ninh",
    )
    output = run()
    bn.refresh_from_db()
    assert bn.name == "UBND tỉnh Bắc Ninh"
    assert "Khác danh mục: «UBND tỉnh Bắc Ninh» — danh mục ghi «Thành phố Bắc Ninh»" in output
    run("--rename-on", "2026-09-01", "--rename-basis", "Nghị quyết thử")
    bn.refresh_from_db()
    assert names.name_on(bn, dt.date(2026, 8, 31)) == "UBND tỉnh Bắc Ninh"
    assert names.name_on(bn, dt.date(2026, 9, 1)) == "UBND thành phố Bắc Ninh"
    assert names.office_name_on(bn, dt.date(2026, 9, 1)) == "Sở Nội vụ thành phố Bắc Ninh"


@pytest.mark.django_db
def test_a_dry_run_saves_nothing():
    output = run("--dry-run")
    assert "chạy thử" in output
    assert not Organizer.objects.exists()
