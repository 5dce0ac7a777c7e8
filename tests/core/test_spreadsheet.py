"""Safe spreadsheet reading: hostile files are refused before parsing, fast and small; normal
files are streamed row by row (khoithidua.lib.spreadsheet)."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from khoithidua.lib.spreadsheet import Limits, SpreadsheetError, open_table

from . import hostile_files as h

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*")


def read_all(data: bytes, filename: str = "danh-muc.xlsx", **limits) -> list[tuple[int, list]]:
    with open_table(data, filename=filename, limits=Limits(**limits)) as table:
        return list(table.rows())


def refused_quickly(data: bytes, filename: str = "danh-muc.xlsx", **limits) -> str:
    """Open and read the file: it must be refused in < 2 s of CPU time (wall time on this shared
    2-core machine depends on the neighbours' load), with < 100 MB allocated at peak. Time and
    memory are measured in two runs: tracing allocations slows Python down."""
    started = time.process_time()
    with pytest.raises(SpreadsheetError) as caught:
        read_all(data, filename, **limits)
    elapsed = time.process_time() - started
    assert elapsed < 2, f"refused after {elapsed:.2f} s of CPU"
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError):
            read_all(data, filename, **limits)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"
    return str(caught.value)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return h.zip_bomb_xlsx(inflated_mb=712)


# --- hostile XLSX ----------------------------------------------------------------------------


def test_a_sheet_declaring_16384_columns_is_refused_before_parsing():
    data = h.wide_sheet_xlsx()
    assert len(data) < 5_000
    message = refused_quickly(data)
    assert message == "Bảng tính khai báo 16.384 cột; tối đa 64 cột."


def test_a_row_with_data_in_column_16384_and_no_declared_dimension_is_refused():
    message = refused_quickly(h.wide_row_xlsx_without_dimension())
    assert message == "Dòng 1 có dữ liệu ở cột thứ 16.384; tối đa 64 cột."


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating_it(bomb):
    # The bomb is real: its sheet does inflate to rows, 712 MB of them.
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > 700 * 1024 * 1024
        with zf.open(info) as sheet:
            assert b"<row><c" in sheet.read(100_000)
    assert len(bomb) < 3 * 1024 * 1024
    message = refused_quickly(bomb)
    assert message.startswith("Tệp Excel có cấu trúc bất thường (dung lượng giải nén 712")
    assert "vượt giới hạn 256,0 MB" in message


def test_a_small_bomb_is_refused_by_its_compression_ratio():
    message = refused_quickly(h.zip_bomb_xlsx(inflated_mb=40))
    assert "tỉ lệ nén" in message and "vượt giới hạn 200 lần" in message


def test_a_bomb_that_lies_about_its_size_is_read_as_broken_not_inflated():
    # The directory says 1 MB; the stream holds 300 MB. zipfile stops at 1 MB, then the CRC fails.
    message = refused_quickly(h.zip_bomb_xlsx(inflated_mb=300, lie_about_size=True))
    assert message == "Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng."


def test_a_huge_shared_strings_table_is_refused(monkeypatch):
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>chuỗi dùng chung số {i}</t></si>" for i in range(40_000))
        + "</sst>"
    )
    data = h.xlsx_bytes(h.sheet_xml([["a"]]), shared_strings=strings)
    message = refused_quickly(data, max_shared_strings_bytes=512 * 1024)
    assert "bảng chuỗi dùng chung" in message


def test_an_entity_expansion_attack_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "hahahahahahaha">'
        + "".join(
            f'<!ENTITY {c} "&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};">'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&i;</t></si></sst>'
    )
    message = refused_quickly(h.xlsx_bytes(h.sheet_xml([["a"]]), shared_strings=laughs))
    assert "có khai báo DTD" in message


def test_a_member_compressed_with_bzip2_is_refused():
    data = h.xlsx_bytes(h.sheet_xml([["a"]]), compression=zipfile.ZIP_BZIP2)
    assert "kiểu nén không được hỗ trợ" in refused_quickly(data)


def test_too_many_declared_rows_are_refused_before_parsing():
    data = h.xlsx_bytes(h.sheet_xml([["Mã"], ["A"]], dimension="A1:C1048576"))
    assert refused_quickly(data) == (
        "Bảng tính khai báo 1.048.576 dòng; tối đa 100.000 dòng dữ liệu sau dòng tiêu đề."
    )


def test_too_many_actual_rows_are_refused_while_streaming_even_when_the_dimension_lies():
    rows = [["Mã"]] + [[f"DV-{i}"] for i in range(12)]
    data = h.xlsx_bytes(h.sheet_xml(rows, dimension="A1:A2"))
    assert refused_quickly(data, max_rows=10) == (
        "Tệp có quá 10 dòng dữ liệu (tối đa 10 dòng sau dòng tiêu đề)."
    )
    assert len(read_all(data, max_rows=12)) == 13


def test_an_oversized_upload_is_refused_before_it_is_read():
    message = refused_quickly(b"PK" + b"\0" * 2_000_000, max_bytes=1_000_000)
    assert message == "Tệp quá lớn: 1,9 MB; tối đa 1,0 MB."


def test_a_legacy_xls_or_password_protected_file_is_named_as_such():
    message = refused_quickly(h.legacy_xls_bytes())
    assert message.startswith("Tệp là bảng tính Excel cũ (.xls) hoặc được đặt mật khẩu.")


def test_garbage_named_xlsx_is_refused_with_a_vietnamese_message():
    assert refused_quickly(b"xin chao") == "Tệp .xlsx không hợp lệ (không phải bảng tính Excel)."
    assert refused_quickly(b"PK\x03\x04broken") == (
        "Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng."
    )


def test_other_extensions_are_refused():
    assert refused_quickly(b"a,b", filename="danh-muc.ods") == "Chỉ nhận tệp .xlsx hoặc .csv."


def test_a_cell_too_long_is_refused_with_its_row_and_column():
    data = h.xlsx_bytes(h.sheet_xml([["Mã", "Tên"], ["A", "x" * 3000]]))
    assert refused_quickly(data) == "Dòng 2, cột 2: ô dài 3.000 ký tự; tối đa 2.000."


# --- normal XLSX -----------------------------------------------------------------------------


def test_rows_are_streamed_as_text_with_the_line_numbers_the_user_sees():
    data = h.xlsx_bytes(
        h.sheet_xml(
            [
                ["Mã khối", "Năm", "Mã đơn vị", "Ghi chú"],
                ["KNC", 2024, "CA-BN", None],
                [],
                ["KNC", 2024.0, "TA-BN", "=1+1"],
                ["KNC", 2024.5, "VKS-BN", "Viện kiểm sát nhân dân"],
            ]
        )
    )
    with open_table(data, filename="Danh-Muc.XLSX") as table:
        assert table.kind == "xlsx"
        assert table.declared_rows == 4
        rows = list(table.rows())
    assert rows == [
        (1, ["Mã khối", "Năm", "Mã đơn vị", "Ghi chú"]),
        (2, ["KNC", "2024", "CA-BN"]),
        (4, ["KNC", "2024", "TA-BN", "=1+1"]),
        (5, ["KNC", "2024.5", "VKS-BN", "Viện kiểm sát nhân dân"]),
    ]


def test_a_workbook_written_by_openpyxl_reads_back_with_dates_as_iso_text(tmp_path):
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Ngày"])
    ws.append(["A", datetime.date(2025, 7, 1)])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    with path.open("rb") as f, open_table(f, filename="a.xlsx") as table:
        assert list(table.rows()) == [(1, ["Mã", "Ngày"]), (2, ["A", "2025-07-01"])]


def test_rows_are_streamed_not_loaded_whole():
    rows = [["Mã", "Tên"]] + [[f"DV-{i}", f"Đơn vị số {i} " * 4] for i in range(20_000)]
    data = h.xlsx_bytes(h.sheet_xml(rows))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet_size = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    assert sheet_size > 3 * 1024 * 1024
    tracemalloc.start()
    try:
        with open_table(data, filename="a.xlsx") as table:
            first = [cells for _, (_line, cells) in zip(range(10), table.rows(), strict=False)]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first[9] == ["DV-8", "Đơn vị số 8 " * 4]
    # Reading the first rows of a 20,000-row sheet touches a fraction of it.
    assert peak < sheet_size / 3, f"peak {peak / 1024 / 1024:.1f} MB"


# --- CSV -------------------------------------------------------------------------------------

VI = "Mã đơn vị;Tên đơn vị\nTA-BN;Tòa án nhân dân tỉnh Bắc Ninh\nSTP;Sở Tư pháp\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (VI.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + VI.encode("utf-8"), "utf-8"),
        (VI.encode("utf-16"), "utf-16"),
        (h.to_cp1258(VI), "cp1258"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "windows-1258"],
)
def test_csv_encodings_are_detected_and_vietnamese_comes_back_intact(data, encoding):
    with open_table(data, filename="danh-muc.csv") as table:
        assert table.kind == "csv"
        assert table.encoding == encoding
        rows = list(table.rows())
    assert rows == [
        (1, ["Mã đơn vị", "Tên đơn vị"]),
        (2, ["TA-BN", "Tòa án nhân dân tỉnh Bắc Ninh"]),
        (3, ["STP", "Sở Tư pháp"]),
    ]


def test_csv_in_an_unknown_encoding_is_refused_with_advice():
    message = refused_quickly(b"M\x81a,b\n", filename="a.csv")
    assert "Không nhận ra bảng mã của tệp CSV" in message
    assert "CSV UTF-8" in message


def test_csv_with_a_nul_byte_is_refused_with_its_row():
    assert refused_quickly(b"a,b\nc,d\x00e\n", filename="a.csv") == (
        "Tệp CSV chứa ký tự không hợp lệ (NUL) ở dòng 2."
    )


def test_csv_with_16384_columns_is_refused():
    data = b"a" + b",x" * 16_383 + b"\n"
    assert refused_quickly(data, filename="a.csv") == "Dòng 1 có 16.384 cột; tối đa 64 cột."


def test_csv_with_too_many_rows_is_refused():
    data = b"a\n" + b"x\n" * 11
    assert refused_quickly(data, filename="a.csv", max_rows=10) == (
        "Tệp có quá 10 dòng dữ liệu (tối đa 10 dòng sau dòng tiêu đề)."
    )


def test_csv_with_a_huge_field_is_refused():
    data = b'a,b\n"' + b"x" * 200_000 + b'",y\n'
    message = refused_quickly(data, filename="a.csv")
    assert message == "Tệp CSV bị lỗi định dạng ở dòng 2."


def test_csv_with_commas_and_quotes_keeps_quoted_commas():
    data = 'Mã,Tên\nA,"Công an tỉnh, Bắc Ninh"\n'.encode()
    assert read_all(data, "a.csv") == [(1, ["Mã", "Tên"]), (2, ["A", "Công an tỉnh, Bắc Ninh"])]


def test_an_empty_file_is_refused():
    assert refused_quickly(b"", filename="a.csv") == "Tệp rỗng."
