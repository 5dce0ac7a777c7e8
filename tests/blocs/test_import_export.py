"""Registry import/export in XLSX and CSV: row/column errors, all-or-nothing, idempotent."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import Bloc, BlocYear, LeadershipTerm, Membership, Unit
from blocs.registry import ImportFileError, export_csv, export_xlsx, import_registry

from ..factories import OrganizerFactory

HEADER = [
    "Mã khối",
    "Tên khối",
    "Loại",
    "Cấp",
    "Năm",
    "Mã đơn vị",
    "Tên đơn vị",
    "Tên viết tắt",
    "Vai trò",
]


def rows_to_csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode("utf-8")


def rows_to_xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [
    [
        "knc",
        "Khối thi đua Nội chính",
        "Khối",
        "Tỉnh",
        2023,
        "cong-an",
        "Công an tỉnh",
        "CA tỉnh",
        "Khối trưởng",
    ],
    [
        "knc",
        "Khối thi đua Nội chính",
        "Khối",
        "Tỉnh",
        2023,
        "vksnd",
        "Viện Kiểm sát nhân dân tỉnh",
        "",
        "Khối phó",
    ],
    ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", 2023, "tand", "Tòa án nhân dân tỉnh", "", ""],
    [
        "knc",
        "Khối thi đua Nội chính",
        "Khối",
        "Tỉnh",
        2024,
        "tand",
        "Tòa án nhân dân tỉnh",
        "",
        "Khối trưởng",
    ],
    ["", "", "", "", "", "so-tu-phap", "Sở Tư pháp", "STP", ""],
]


def counts(organizer):
    return (
        Unit.objects.filter(organizer=organizer).count(),
        Bloc.objects.filter(organizer=organizer).count(),
        BlocYear.objects.filter(bloc__organizer=organizer).count(),
        Membership.objects.filter(bloc_year__bloc__organizer=organizer).count(),
        LeadershipTerm.objects.filter(bloc_year__bloc__organizer=organizer).count(),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_creates_the_registry_and_reimport_changes_nothing(db, fmt):
    organizer = OrganizerFactory()
    data = rows_to_csv(GOOD) if fmt == "csv" else rows_to_xlsx(GOOD)
    result = import_registry(organizer=organizer, filename=f"danh-muc.{fmt}", data=data)
    assert result.ok, result.errors
    assert counts(organizer) == (4, 1, 2, 4, 3)
    leader_2023 = LeadershipTerm.objects.get(bloc_year__year=2023, role="leader")
    assert leader_2023.unit.code == "cong-an" and leader_2023.status == "confirmed"

    again = import_registry(organizer=organizer, filename=f"danh-muc.{fmt}", data=data)
    assert again.ok and again.changes == 0
    assert counts(organizer) == (4, 1, 2, 4, 3)


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_saved(db):
    organizer = OrganizerFactory()
    bad = GOOD + [
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", "hai nghìn", "bchqs", "Bộ CHQS", "", ""],
        [
            "knc",
            "Khối thi đua Nội chính",
            "Nhóm",
            "Tỉnh",
            2023,
            "thanh-tra",
            "Thanh tra tỉnh",
            "",
            "",
        ],
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", 2023, "", "Không mã", "", ""],
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", 2023, "mã có dấu", "Sở X", "", ""],
        ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", 2023, "so-y", "=CMD()", "", ""],
        [
            "knc",
            "Khối thi đua Nội chính",
            "Khối",
            "Tỉnh",
            2023,
            "tand",
            "Tòa án nhân dân tỉnh",
            "",
            "Khối trưởng",
        ],
        [
            "knc",
            "Khối thi đua Nội chính",
            "Khối",
            "Tỉnh",
            2024,
            "cong-an",
            "Công an tỉnh",
            "",
            "Trưởng ban",
        ],
    ]
    result = import_registry(organizer=organizer, filename="x.csv", data=rows_to_csv(bad))
    messages = [str(e) for e in result.errors]
    assert not result.ok
    assert "Dòng 7, cột «Năm»: «hai nghìn» không phải là năm hợp lệ (ví dụ 2024)." in messages
    assert "Dòng 8, cột «Loại»: chỉ nhận «Khối» hoặc «Cụm»." in messages
    assert "Dòng 9, cột «Mã đơn vị»: không được để trống." in messages
    assert any(m.startswith("Dòng 10, cột «Mã đơn vị»: chỉ gồm chữ không dấu") for m in messages)
    assert (
        "Dòng 11, cột «Tên đơn vị»: không được bắt đầu bằng =, + hoặc @ (công thức bảng tính)."
        in messages
    )
    assert any(
        m.startswith("Dòng 12:") and "đã có trong khối «knc» năm 2023 ở dòng 4" in m
        for m in messages
    )
    assert any(m.startswith("Dòng 13, cột «Vai trò»") for m in messages)
    assert counts(organizer) == (0, 0, 0, 0, 0)


def test_two_leaders_for_one_year_is_an_error(db):
    organizer = OrganizerFactory()
    rows = [
        GOOD[0],
        [
            "knc",
            "Khối thi đua Nội chính",
            "Khối",
            "Tỉnh",
            2023,
            "tand",
            "Tòa án nhân dân tỉnh",
            "",
            "Khối trưởng",
        ],
    ]
    result = import_registry(organizer=organizer, filename="x.csv", data=rows_to_csv(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 3, cột «Vai trò»: khối «knc» năm 2023 đã có Khối trưởng ở dòng 2."
    ]
    assert counts(organizer) == (0, 0, 0, 0, 0)


def test_the_same_unit_code_with_two_names_is_an_error(db):
    organizer = OrganizerFactory()
    rows = [
        GOOD[0],
        [
            "knc",
            "Khối thi đua Nội chính",
            "Khối",
            "Tỉnh",
            2024,
            "cong-an",
            "Công an thành phố",
            "",
            "",
        ],
    ]
    result = import_registry(organizer=organizer, filename="x.csv", data=rows_to_csv(rows))
    assert "Dòng 3, cột «Tên đơn vị»: đơn vị «cong-an» có tên khác với dòng 2." in [
        str(e) for e in result.errors
    ]


def test_missing_columns_and_wrong_files_are_refused_as_a_whole(db):
    organizer = OrganizerFactory()
    with pytest.raises(ImportFileError, match="Thiếu cột"):
        import_registry(organizer=organizer, filename="x.csv", data="Tên,Năm\na,2024\n".encode())
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_registry(organizer=organizer, filename="x.csv", data="Mã khối,Tên".encode("utf-16"))
    with pytest.raises(ImportFileError, match="không hợp lệ"):
        import_registry(organizer=organizer, filename="x.xlsx", data=b"not a zip")
    with pytest.raises(ImportFileError, match="Chỉ nhận"):
        import_registry(organizer=organizer, filename="x.exe", data=b"MZ")


def test_headers_are_matched_without_diacritics_and_semicolons_work(db):
    organizer = OrganizerFactory()
    text = (
        "ma khoi;ten khoi;loai;cap;nam;ma don vi;ten don vi;ten viet tat;vai tro\n"
        "k1;Khối 1;cụm;tỉnh;2024;a;Đơn vị A;;cụm trưởng\n"
    )
    result = import_registry(organizer=organizer, filename="x.csv", data=text.encode())
    assert result.ok, result.errors
    bloc = Bloc.objects.get(organizer=organizer, code="k1")
    assert bloc.kind == "cum"
    assert LeadershipTerm.objects.get(bloc_year__bloc=bloc).role == "leader"


def test_export_round_trips_through_import_without_changes(world):
    data_csv = export_csv([world.organizer.pk])
    data_xlsx = export_xlsx([world.organizer.pk])
    before = counts(world.organizer)
    for name, data in (("a.csv", data_csv), ("a.xlsx", data_xlsx)):
        result = import_registry(organizer=world.organizer, filename=name, data=data)
        assert result.ok, result.errors
        assert result.changes == 0, (result.created, result.updated)
    assert counts(world.organizer) == before


def test_exports_neutralise_formulas(world):
    unit = world.units[2]
    Unit.objects.filter(pk=unit.pk).update(name='=HYPERLINK("http://evil")')
    text = export_csv([world.organizer.pk]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx([world.organizer.pk])))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    cells = [
        c for row in wb.active.iter_rows() for c in row if c.value == '=HYPERLINK("http://evil")'
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    assert '=HYPERLINK("http://evil")' in values


def test_example_files_in_the_repo_import_cleanly(db):
    organizer = OrganizerFactory()
    for name in ("danh-muc-mau.xlsx", "danh-muc-mau.csv"):
        data = (Path(settings.BASE_DIR) / "static" / "examples" / name).read_bytes()
        result = import_registry(organizer=organizer, filename=name, data=data)
        assert result.ok, result.errors
    assert Bloc.objects.filter(organizer=organizer).count() == 1
    assert Membership.objects.filter(bloc_year__bloc__organizer=organizer).count() == 24


def test_upload_page_reports_errors_and_saves_nothing(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile(
        "loi.csv", rows_to_csv([["knc", "Khối", "Khối", "Tỉnh", 20244, "a", "A", "", ""]])
    )
    response = client.post(
        reverse("blocs:registry_import"), {"organizer": world.organizer.pk, "file": upload}
    )
    assert response.status_code == 422
    assert "Dòng 2, cột «Năm»" in response.content.decode()
    assert not Bloc.objects.filter(code="knc").exists()


def test_upload_page_imports_and_redirects_with_a_summary(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("ok.xlsx", rows_to_xlsx(GOOD))
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": upload},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã nhập 5 dòng" in response.content.decode()
    assert Bloc.objects.filter(organizer=world.organizer, code="knc").exists()


def test_office_cannot_import_into_another_province(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("ok.csv", rows_to_csv(GOOD))
    response = client.post(
        reverse("blocs:registry_import"), {"organizer": world.other_organizer.pk, "file": upload}
    )
    assert response.status_code == 422
    assert not Bloc.objects.filter(organizer=world.other_organizer, code="knc").exists()


def test_upload_of_wrong_type_or_size_is_refused(client, world, settings):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": SimpleUploadedFile("x.html", b"<script>")},
    )
    assert (
        response.status_code == 422 and "Chỉ nhận tệp .xlsx hoặc .csv" in response.content.decode()
    )
    settings.MAX_IMPORT_BYTES = 10
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": world.organizer.pk, "file": SimpleUploadedFile("x.csv", b"a" * 100)},
    )
    assert response.status_code == 422 and "Tệp quá lớn" in response.content.decode()


def test_export_downloads_are_attachments(client, world):
    client.force_login(world.office)
    response = client.get(reverse("blocs:registry_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.get(
        reverse("blocs:registry_export", args=["csv"]), {"organizer": world.other_organizer.pk}
    )
    assert response.status_code == 404


def test_an_english_reader_gets_the_row_errors_in_english(db):
    from django.utils import translation

    organizer = OrganizerFactory()
    rows = [GOOD[0], ["knc", "Khối thi đua Nội chính", "Khối", "Tỉnh", 2024, "cong-an", "Khác"]]
    rows[1] += ["", ""]
    with translation.override("en"):
        result = import_registry(organizer=organizer, filename="x.csv", data=rows_to_csv(rows))
        errors = [str(e) for e in result.errors]
    assert errors == ["Row 3, column «Tên đơn vị»: unit «cong-an» has a different name from row 2."]
