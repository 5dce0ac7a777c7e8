"""blocs.xlsx: the streaming XLSX writer of the registry export."""

import io
import warnings

import openpyxl

from blocs.xlsx import write_table


def test_the_file_opens_cleanly_and_text_is_never_a_formula():
    buf = io.BytesIO()
    rows = [
        ["Tỉnh", "Tên", "Năm"],
        ["Hà Giang", '=HYPERLINK("http://evil")', 2022],
        ["  Tuyên Quang ", "a<b & «c»\x00\x07", 2.5],
        ["", None, True],
    ]
    write_table(buf, rows, sheet_name="Danh muc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no default style" or other repair warning
        wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["Danh muc"]
    cells = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]
    assert cells[1] == [("Hà Giang", "s"), ('=HYPERLINK("http://evil")', "s"), (2022, "n")]
    assert cells[2] == [("  Tuyên Quang ", "s"), ("a<b & «c»", "s"), (2.5, "n")]
    assert cells[3][0][0] is None and cells[3][1][0] is None and cells[3][2][0] is True
    streamed = openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
    values = [list(r) for r in streamed.worksheets[0].iter_rows(values_only=True)]
    assert values[1] == ["Hà Giang", '=HYPERLINK("http://evil")', 2022]
