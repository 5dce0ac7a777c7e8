"""Registry imports that follow the 2025 reorganisation (issue 17): the merged Tuyên Quang
imports its 2026 Nội chính bloc, whose members are the former Hà Giang agencies."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from blocs import merger as m
from blocs import names
from blocs.models import (
    Bloc,
    BlocName,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Membership,
    Unit,
    UnitEvent,
    UnitName,
)
from blocs.registry import COLUMNS, export_csv, export_xlsx, import_registry

from .test_merger import BASIS, MERGER, provinces  # noqa: F401  (the fixture)

HEADER = [label for _key, label in COLUMNS]
KNC = "Khối thi đua Nội chính tỉnh Tuyên Quang"


def row(unit_code, unit_name, *, year=2026, short="", role="", province="", predecessor=""):
    values = {
        "Tỉnh": province,
        "Mã khối": "knc",
        "Tên khối": KNC,
        "Ký hiệu khối": "KNC",
        "Loại": "Khối",
        "Cấp": "Tỉnh",
        "Năm": year,
        "Mã đơn vị": unit_code,
        "Tên đơn vị": unit_name,
        "Tên viết tắt": short,
        "Vai trò": role,
        "Mã đơn vị tiền thân": predecessor,
    }
    return [values[h] for h in HEADER]


def to_csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode("utf-8")


# The 2026 roster typed by Tuyên Quang: five codes as Hà Giang had them, two agencies found by
# name or short name, one named in «Mã đơn vị tiền thân», two agencies new to the bloc.
ROSTER = [
    row("cong-an", "Công an tỉnh", short="CA tỉnh", role="Khối trưởng"),
    row("vksnd", "Viện Kiểm sát nhân dân tỉnh", role="Khối phó"),
    row("tand", "Tòa án nhân dân tỉnh"),
    row("bchqs", "Bộ Chỉ huy Quân sự tỉnh"),
    row("bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
    row("thanh-tra-tinh", "Thanh tra tỉnh"),
    row("tu-phap", "Sở Tư pháp", short="STP"),
    row("thads-tq", "Thi hành án dân sự", predecessor="thads"),
    row("so-noi-vu", "Sở Nội vụ"),
    row("ban-noi-chinh", "Ban Nội chính Tỉnh ủy"),
]


@pytest.fixture
def merged(provinces):  # noqa: F811
    m.merger_record(
        source=provinces["hg"], target=provinces["tq"], effective_date=MERGER, basis=BASIS
    )
    provinces["hg"].refresh_from_db()
    return provinces


def state():
    return (
        Unit.objects.count(),
        Bloc.objects.count(),
        BlocYear.objects.count(),
        Membership.objects.count(),
        LeadershipTerm.objects.count(),
        UnitEvent.objects.count(),
        BlocSuccession.objects.count(),
        UnitName.objects.count(),
        BlocName.objects.count(),
        list(Unit.objects.order_by("pk").values_list("name", "merged_into_id")),
    )


def test_the_import_previews_the_links_to_the_merged_province_and_writes_nothing(merged):
    p = merged
    before = state()
    result = import_registry(
        organizer=p["tq"], filename="knc-2026.csv", data=to_csv(ROSTER), confirmed=False
    )
    assert result.ok, result.errors
    assert result.pending and state() == before
    assert result.summary_lines() == [
        "8 đơn vị sẽ được nối với đơn vị cũ của tỉnh Hà Giang",
        "2 đơn vị mới",
        "1 khối sẽ kế tục khối cũ của tỉnh Hà Giang",
    ]
    links = {link.code: (link.predecessor.code, link.reason) for link in result.unit_links}
    assert links == {
        "cong-an": ("cong-an", "khớp mã"),
        "vksnd": ("vksnd", "khớp mã"),
        "tand": ("tand", "khớp mã"),
        "bchqs": ("bchqs", "khớp mã"),
        "bdbp": ("bdbp", "khớp mã"),
        "thanh-tra-tinh": ("thanh-tra", "tên gần giống (100%)"),
        "tu-phap": ("so-tu-phap", "khớp tên viết tắt"),
        "thads-tq": ("thads", "theo cột «Mã đơn vị tiền thân»"),
    }
    assert [(b.code, b.predecessor.code) for b in result.bloc_links] == [("knc", "knc")]


def test_confirming_writes_the_links_dated_at_the_merger_in_one_go(merged):
    p = merged
    preview = import_registry(
        organizer=p["tq"], filename="knc-2026.csv", data=to_csv(ROSTER), confirmed=False
    )
    result = import_registry(
        organizer=p["tq"],
        filename="knc-2026.csv",
        data=to_csv(ROSTER),
        expected_digest=preview.digest,
    )
    assert result.ok and not result.pending, result.errors
    assert result.created["links"] == 8 and result.created["units"] == 10
    for code, name in [("cong-an", "Công an tỉnh"), ("thads", "Cục Thi hành án dân sự tỉnh")]:
        old = Unit.objects.get(organizer=p["hg"], code=code)
        assert old.merged_on == MERGER and old.merged_into.organizer == p["tq"]
        assert old.name == name  # history before the date stays Hà Giang's
        assert UnitEvent.objects.filter(unit=old.merged_into, kind="absorbed").exists()
    assert Unit.objects.get(organizer=p["hg"], code="thads").merged_into.code == "thads-tq"
    new_bloc = Bloc.objects.get(organizer=p["tq"], code="knc")
    assert new_bloc.short_name == "KNC"
    link = BlocSuccession.objects.get(successor=new_bloc)
    assert link.predecessor == p["hg_bloc"] and link.effective_date == MERGER
    assert link.basis == BASIS
    # The 2022 year stays Hà Giang's, with Hà Giang's names.
    assert Membership.objects.filter(bloc_year=p["y2022"]).count() == 8
    # Importing the same file again changes nothing and asks nothing.
    again = import_registry(organizer=p["tq"], filename="knc-2026.csv", data=to_csv(ROSTER))
    assert again.ok and again.changes == 0 and not again.needs_confirmation


def test_a_link_left_unchecked_makes_a_new_unit_without_history(merged):
    p = merged
    kept = {r[HEADER.index("Mã đơn vị")] for r in ROSTER} - {"tand"}
    result = import_registry(
        organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER), accept_links=kept
    )
    assert result.ok and result.created["links"] == 7
    assert Unit.objects.get(organizer=p["hg"], code="tand").merged_into is None
    assert Unit.objects.filter(organizer=p["tq"], code="tand").exists()


def test_a_confirmation_of_a_plan_that_changed_since_the_preview_writes_nothing(merged):
    p = merged
    preview = import_registry(
        organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER), confirmed=False
    )
    # Meanwhile someone archived Hà Giang's court: it is no longer offered as a predecessor.
    Unit.objects.filter(organizer=p["hg"], code="tand").update(archived_at=timezone.now())
    before = state()
    result = import_registry(
        organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER), expected_digest=preview.digest
    )
    assert result.pending and result.stale and state() == before


def test_an_unknown_predecessor_code_is_refused(merged):
    p = merged
    rows = [row("moi", "Đơn vị mới", predecessor="khong-co")]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột «Mã đơn vị tiền thân»: không tìm thấy đơn vị «khong-co» trong tỉnh Hà Giang."
    ]


def test_the_defunct_province_takes_no_rows_after_its_date(merged):
    p = merged
    before = state()
    rows = [row("tand", "Tòa án nhân dân tỉnh", province="Hà Giang", year=2026)]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột «Năm»: Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025."
    ]
    assert state() == before
    # Importing into Hà Giang itself after the date: refused the same way.
    result = import_registry(organizer=p["hg"], filename="a.csv", data=to_csv([row("x", "X")]))
    assert "Tỉnh Hà Giang đã hợp nhất vào tỉnh Tuyên Quang từ 01/07/2025." in str(result.errors[0])
    assert state() == before


def test_a_row_of_another_province_is_refused(merged):
    p = merged
    rows = [row("tand", "Tòa án nhân dân tỉnh", province="Bắc Ninh")]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith("Dòng 2, cột «Tỉnh»: «Bắc Ninh» không phải là")


def test_a_name_change_from_the_file_becomes_a_dated_name_record(merged):
    p = merged
    unit = p["tq_units"]["thads"]
    # A rename from a file takes effect on 1 January of this year (a past year is refused).
    year = timezone.localdate().year
    rows = [row("thads", "Thi hành án dân sự tỉnh Tuyên Quang", short="THADS", year=year)]
    preview = import_registry(
        organizer=p["tq"], filename="a.csv", data=to_csv(rows), confirmed=False
    )
    assert preview.pending
    assert [(r.old_name, r.new_name, r.effective) for r in preview.renames] == [
        ("Thi hành án dân sự tỉnh", "Thi hành án dân sự tỉnh Tuyên Quang", dt.date(year, 1, 1))
    ]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert result.ok and result.updated["units"] == 1
    unit.refresh_from_db()
    assert names.name_on(unit, dt.date(year - 1, 12, 31)) == "Thi hành án dân sự tỉnh"
    assert names.name_on(unit, dt.date(year, 1, 1)) == "Thi hành án dân sự tỉnh Tuyên Quang"
    assert UnitEvent.objects.filter(unit=unit, kind="renamed").count() == 1


def test_a_bloc_name_and_short_name_change_is_dated_and_the_earlier_year_keeps_the_old(merged):
    p = merged
    import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER))
    rows = [
        row("cong-an", "Công an tỉnh", short="CA tỉnh"),
        row("cong-an", "Công an tỉnh", year=2027),
    ]
    rows[1][HEADER.index("Tên khối")] = "Khối thi đua các cơ quan Nội chính tỉnh Tuyên Quang"
    rows[1][HEADER.index("Ký hiệu khối")] = "KNC-TQ"
    preview = import_registry(
        organizer=p["tq"], filename="a.csv", data=to_csv(rows), confirmed=False
    )
    assert preview.summary_lines() == ["1 khối đổi tên (ghi lại tên cũ theo ngày)"]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert result.ok, result.errors
    bloc = Bloc.objects.get(organizer=p["tq"], code="knc")
    assert (bloc.name, bloc.short_name) == (
        "Khối thi đua các cơ quan Nội chính tỉnh Tuyên Quang",
        "KNC-TQ",
    )
    assert names.name_on(bloc, dt.date(2026, 12, 31)) == KNC
    assert names.short_name_on(bloc, dt.date(2026, 12, 31)) == "KNC"
    assert names.short_name_on(bloc, dt.date(2027, 1, 1)) == "KNC-TQ"
    assert BlocName.objects.get(bloc=bloc).valid_until == dt.date(2027, 1, 1)


def test_a_file_cannot_rewrite_a_past_name(merged):
    p = merged
    before = state()
    rows = [row("cong-an", "Công an tỉnh Hà Giang", province="Hà Giang", year=2022)]
    rows[0][HEADER.index("Tên khối")] = "Khối Nội chính tỉnh Hà Giang"
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột «Tên đơn vị»: đơn vị «cong-an» năm 2022 có tên «Công an tỉnh» trong danh "
        "mục; tệp ghi «Công an tỉnh Hà Giang». Tên đã dùng trong quá khứ không đổi qua tệp "
        "nhập; dùng «Đổi tên» trên trang của đơn vị để ghi tên mới kèm ngày hiệu lực."
    ]
    assert state() == before


def test_the_import_refuses_one_unit_as_both_leader_and_deputy(merged):
    p = merged
    import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER))
    before = state()
    # Công an is the stored Khối trưởng of 2026: a file that makes it Khối phó too is refused.
    rows = [row("cong-an", "Công an tỉnh", short="CA tỉnh", role="Khối phó")]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột «Vai trò»: Một đơn vị không thể vừa là Khối trưởng vừa là Khối phó trong "
        "cùng một năm. (đơn vị «cong-an», khối «knc» năm 2026)"
    ]
    assert state() == before
    # Swapping the two roles in one file is fine (never both at once, even half-way).
    rows = [
        row("cong-an", "Công an tỉnh", short="CA tỉnh", role="Khối phó"),
        row("vksnd", "Viện Kiểm sát nhân dân tỉnh", role="Khối trưởng"),
    ]
    result = import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(rows))
    assert result.ok, result.errors
    terms = dict(
        LeadershipTerm.objects.filter(bloc_year__bloc__organizer=p["tq"]).values_list(
            "role", "unit__code"
        )
    )
    assert terms == {"leader": "vksnd", "deputy": "cong-an"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_of_a_merged_province_reimports_with_zero_changes(merged, fmt):
    p = merged
    # Thi hành án was renamed at the merger; the 2026 bloc is imported with its links.
    import_registry(organizer=p["tq"], filename="a.csv", data=to_csv(ROSTER))
    ids = [p["tq"].pk, p["hg"].pk]
    data = export_csv(ids) if fmt == "csv" else export_xlsx(ids)
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert lines[0] == HEADER
        old = [r for r in lines if r[0] == "Hà Giang" and r[7] == "thads"]
        assert old == [
            [
                "Hà Giang",
                "knc",
                "Khối Nội chính tỉnh Hà Giang",
                "KNC",
                "Khối",
                "Tỉnh",
                "2022",
                "thads",
                "Cục Thi hành án dân sự tỉnh",
                "Cục THADS tỉnh",
                "",
                "",
            ]
        ]
        assert any(r[0] == "Tuyên Quang" and r[7] == "thads-tq" for r in lines)
    before = state()
    result = import_registry(
        organizer=p["tq"], filename=f"export.{fmt}", data=data, confirmed=False
    )
    assert result.ok, result.errors
    assert result.changes == 0 and not result.pending, (result.created, result.updated)
    assert state() == before


def test_past_rows_of_the_export_carry_the_names_of_their_year(merged):
    p = merged
    from blocs import services

    unit = p["hg_units"]["tand"]
    services.unit_rename(
        unit=unit, new_name="Tòa án nhân dân tỉnh Hà Giang", effective_date=dt.date(2024, 1, 1)
    )
    y2024 = BlocYear.objects.create(bloc=p["hg_bloc"], year=2024)
    Membership.objects.create(bloc_year=y2024, unit=unit)
    lines = list(csv.reader(io.StringIO(export_csv([p["hg"].pk]).decode("utf-8-sig"))))
    names_by_year = {r[6]: r[8] for r in lines[1:] if r[7] == "tand"}
    assert names_by_year == {
        "2022": "Tòa án nhân dân tỉnh",
        "2024": "Tòa án nhân dân tỉnh Hà Giang",
    }
    result = import_registry(
        organizer=p["tq"], filename="x.csv", data=export_csv([p["hg"].pk]), confirmed=False
    )
    assert result.ok and result.changes == 0 and not result.pending, result.errors


# --- the pages --------------------------------------------------------------------------------


def test_upload_shows_the_preview_then_confirm_writes(client, merged):
    p = merged
    client.force_login(p["office"])
    url = reverse("blocs:registry_import")
    page = client.get(url).content.decode()
    assert "UBND tỉnh Hà Giang" not in page  # the defunct province takes no imports
    before = state()
    response = client.post(
        url,
        {"organizer": p["tq"].pk, "file": SimpleUploadedFile("knc.csv", to_csv(ROSTER))},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "8 đơn vị sẽ được nối với đơn vị cũ của tỉnh Hà Giang" in html
    assert "2 đơn vị mới" in html
    assert "Cục Thi hành án dân sự tỉnh – UBND tỉnh Hà Giang (thads)" in html
    assert state() == before
    token = client.session["registry_import_pending"]["token"]
    # Another office user cannot confirm this preview.
    other = client.__class__()
    other.force_login(p["hg_only"])
    response = other.post(url, {"token": token, "confirm": "1", "link": ["cong-an"]})
    assert response.status_code == 404 and state() == before
    links = [r[HEADER.index("Mã đơn vị")] for r in ROSTER]
    response = client.post(url, {"token": token, "confirm": "1", "link": links}, follow=True)
    assert "Đã nhập 10 dòng" in response.content.decode()
    assert Unit.objects.filter(organizer=p["hg"], merged_into__isnull=False).count() == 8
    assert "registry_import_pending" not in client.session


def test_cancel_forgets_the_preview(client, merged):
    p = merged
    client.force_login(p["office"])
    url = reverse("blocs:registry_import")
    client.post(url, {"organizer": p["tq"].pk, "file": SimpleUploadedFile("k.csv", to_csv(ROSTER))})
    token = client.session["registry_import_pending"]["token"]
    before = state()
    response = client.post(url, {"token": token, "cancel": "1"}, follow=True)
    assert "Đã huỷ, không nhập gì." in response.content.decode() and state() == before
    response = client.post(url, {"token": token, "confirm": "1"})
    assert response.status_code == 404 and state() == before
