"""Safe reading of uploaded tables (XLSX and CSV): checked before parsing, then streamed.

An uploaded spreadsheet is hostile until proven otherwise: a 5 KB XLSX can declare 16,384 columns
by a million rows, and a 400 KB zip can inflate to gigabytes. This module refuses such files from
their zip directory and their declared dimensions, before anything is parsed, then streams the
rows (openpyxl in `read_only` mode) so memory stays flat whatever the row count.

API
---
::

    from khoithidua.lib.spreadsheet import Limits, SpreadsheetError, open_table

    try:
        with open_table(upload, filename=upload.name, limits=Limits(max_rows=100_000)) as table:
            table.kind             # "xlsx" or "csv"
            table.encoding         # CSV: "utf-8", "utf-16" or "cp1258" (Windows Vietnamese)
            table.declared_rows    # data rows announced by the file (progress total) or None
            for line, cells in table.rows():
                ...                # line: the row number the user sees (1 = first row)
                                   # cells: list[str] ("" for empty; 2024.0 → "2024"; dates ISO)
    except SpreadsheetError as exc:
        form.add_error("file", str(exc))       # a whole Vietnamese sentence

- `upload`: bytes or a seekable binary file (an UploadedFile, a `default_storage.open()` file).
- The first row is the header; `Limits.max_rows` counts the rows after it. Empty rows are
  skipped (their line numbers are kept, so errors name the row the user sees).
- Every check raises `SpreadsheetError`, also in the middle of `rows()` (too many rows, a cell
  too long, data beyond the last allowed column): validate everything before saving anything.
- Formulas are returned as their text (`=SUM(A1:A3)`), never evaluated: callers refuse cells that
  start with `=`, `+` or `@` (see README, "Nhập/xuất danh mục").

Checks, in order (XLSX): size of the upload; a real zip (legacy .xls and password-protected files
are named as such); at most `max_members` members, each stored or deflated (no bzip2/lzma, whose
decompressors have no output bound), not encrypted; uncompressed total ≤ `max_uncompressed_bytes`
and, above 1 MB, compression ratio ≤ `max_ratio`; the shared-strings table (loaded whole by
openpyxl) ≤ `max_shared_strings_bytes`; no DTD in any XML member (entity expansion); the first
sheet's declared dimension within `max_columns` × `max_rows`. Declared sizes bound what is
inflated: Python's zipfile stops at the size the directory declares and then checks the CRC, so
a member that lies about its size is read as broken, not inflated further.
CSV: size; encoding by BOM, then strict UTF-8, then Windows-1258 (what Excel writes as "CSV" on
a Vietnamese Windows), normalised to NFC; delimiter `,` `;` or tab from the header line; no NUL.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import openpyxl
from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _

MB = 1024 * 1024


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; str(exc) is a Vietnamese sentence for the user."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int | None = None  # None: settings.MAX_IMPORT_BYTES
    max_rows: int = 100_000  # rows after the header
    max_columns: int = 64
    max_cell_chars: int = 2_000
    max_members: int = 500
    max_uncompressed_bytes: int = 256 * MB
    max_ratio: int = 200
    max_shared_strings_bytes: int = 64 * MB
    max_metadata_bytes: int = 4 * MB  # workbook.xml and its relationships, parsed whole

    @property
    def upload_bytes(self) -> int:
        return self.max_bytes if self.max_bytes is not None else settings.MAX_IMPORT_BYTES


def _n(value: int | float, decimal_pos: int | None = None) -> str:
    """A number as the active language writes it (Vietnamese: 16.384 and 1,5)."""
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _mb(size: int) -> str:
    return _n(round(size / MB, 1), decimal_pos=1)


def cell_text(value) -> str:
    """One cell as text: None → "", 2024.0 → "2024", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if not (value.hour or value.minute or value.second or value.microsecond):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


class Table:
    """An opened, checked table. Use as a context manager, or call close()."""

    kind: str
    encoding: str | None = None
    declared_rows: int | None = None

    def __init__(self, limits: Limits):
        self.limits = limits

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _checked(self, line: int, cells: list[str]) -> list[str] | None:
        """Trailing empty cells dropped; None for an empty row; errors for oversized content."""
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            return None
        if line - 1 > self.limits.max_rows:
            raise SpreadsheetError(
                _("Tệp có quá %(limit)s dòng dữ liệu (tối đa %(limit)s dòng sau dòng tiêu đề).")
                % {"limit": _n(self.limits.max_rows)}
            )
        if len(cells) > self.limits.max_columns:
            raise SpreadsheetError(
                _("Dòng %(row)s có dữ liệu ở cột thứ %(column)s; tối đa %(limit)s cột.")
                % {"row": line, "column": _n(len(cells)), "limit": self.limits.max_columns}
            )
        for i, text in enumerate(cells, start=1):
            if len(text) > self.limits.max_cell_chars:
                raise SpreadsheetError(
                    _("Dòng %(row)s, cột %(column)s: ô dài %(length)s ký tự; tối đa %(limit)s.")
                    % {
                        "row": line,
                        "column": i,
                        "length": _n(len(text)),
                        "limit": _n(self.limits.max_cell_chars),
                    }
                )
        return cells


# --- XLSX ----------------------------------------------------------------------------------

DIMENSION_RE = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"'
)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _broken() -> SpreadsheetError:
    return SpreadsheetError(_("Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng."))


def _bomb(detail: str) -> SpreadsheetError:
    return SpreadsheetError(
        _("Tệp Excel có cấu trúc bất thường (%(detail)s) nên không được đọc.") % {"detail": detail}
    )


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _bomb(_("phần %(name)s quá lớn") % {"name": name})
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise _bomb(_("có khai báo DTD"))
    return data


def _first_sheet_path(zf: zipfile.ZipFile, limits: Limits) -> str:
    try:
        workbook = ET.fromstring(_read_member(zf, "xl/workbook.xml", limits.max_metadata_bytes))
        rels = ET.fromstring(
            _read_member(zf, "xl/_rels/workbook.xml.rels", limits.max_metadata_bytes)
        )
    except KeyError as exc:
        raise _broken() from exc
    except ET.ParseError as exc:
        raise _broken() from exc
    sheet = workbook.find(f"{NS_MAIN}sheets/{NS_MAIN}sheet")
    if sheet is None:
        raise SpreadsheetError(_("Tệp Excel không có trang tính nào."))
    rel_id = sheet.get(f"{NS_REL}id")
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise _broken()


def _check_xlsx(zf: zipfile.ZipFile, limits: Limits) -> tuple[int | None, int | None]:
    """Refuse hostile archives; return the first sheet's declared (rows, columns)."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _bomb(_("%(count)s phần trong tệp nén") % {"count": _n(len(infos))})
    total = compressed = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(
                _("Tệp Excel được đặt mật khẩu; hãy lưu lại tệp không có mật khẩu rồi nhập lại.")
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _bomb(_("kiểu nén không được hỗ trợ"))
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_uncompressed_bytes:
        raise _bomb(
            _("dung lượng giải nén %(size)s MB, vượt giới hạn %(limit)s MB")
            % {"size": _mb(total), "limit": _mb(limits.max_uncompressed_bytes)}
        )
    if total > MB and total > limits.max_ratio * max(compressed, 1):
        raise _bomb(
            _("tỉ lệ nén %(ratio)s lần, vượt giới hạn %(limit)s lần")
            % {"ratio": _n(total // max(compressed, 1)), "limit": _n(limits.max_ratio)}
        )
    names = {info.filename: info for info in infos}
    strings = names.get("xl/sharedStrings.xml")
    if strings and strings.file_size > limits.max_shared_strings_bytes:
        raise _bomb(
            _("bảng chuỗi dùng chung %(size)s MB, vượt giới hạn %(limit)s MB")
            % {"size": _mb(strings.file_size), "limit": _mb(limits.max_shared_strings_bytes)}
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as member:
                head = member.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _bomb(_("có khai báo DTD"))

    sheet_path = _first_sheet_path(zf, limits)
    if sheet_path not in names:
        raise _broken()
    with zf.open(sheet_path) as sheet:
        head = sheet.read(64 * 1024)
    match = DIMENSION_RE.search(head)
    if not match:
        return None, None
    first_col, first_row, last_col, last_row = match.groups()
    last_col = last_col or first_col
    last_row = last_row or first_row
    columns = _column_number(last_col.decode()) if last_col else None
    rows = int(last_row) if last_row else None
    if columns is not None and columns > limits.max_columns:
        raise SpreadsheetError(
            _("Bảng tính khai báo %(columns)s cột; tối đa %(limit)s cột.")
            % {"columns": _n(columns), "limit": _n(limits.max_columns)}
        )
    if rows is not None and rows - 1 > limits.max_rows:
        raise SpreadsheetError(
            _("Bảng tính khai báo %(rows)s dòng; tối đa %(limit)s dòng dữ liệu sau dòng tiêu đề.")
            % {"rows": _n(rows), "limit": _n(limits.max_rows)}
        )
    return (rows - 1 if rows else None), columns


class XlsxTable(Table):
    kind = "xlsx"

    def __init__(self, stream: IO[bytes], limits: Limits):
        super().__init__(limits)
        try:
            with zipfile.ZipFile(stream) as zf:
                self.declared_rows, _columns = _check_xlsx(zf, limits)
            stream.seek(0)
            self._workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
        except SpreadsheetError:
            raise
        except Exception as exc:  # openpyxl and zipfile raise many kinds for a broken file
            raise _broken() from exc
        if not self._workbook.worksheets:
            self._workbook.close()
            raise SpreadsheetError(_("Tệp Excel không có trang tính nào."))

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet = self._workbook.worksheets[0]
        # One row past the limit, to tell "too many rows"; a lying dimension cannot pad more.
        bound = self.limits.max_rows + 2
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True, max_row=bound), 1):
                cells = self._checked(line, [cell_text(v) for v in values])
                if cells is not None:
                    yield line, cells
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise _broken() from exc

    def close(self) -> None:
        self._workbook.close()


# --- CSV -----------------------------------------------------------------------------------


def _decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        name = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
        return unicodedata.normalize("NFC", text), name
    raise SpreadsheetError(
        _(
            "Không nhận ra bảng mã của tệp CSV. Hãy lưu lại bằng Excel với kiểu "
            "«CSV UTF-8 (Comma delimited)» rồi nhập lại."
        )
    )


class CsvTable(Table):
    kind = "csv"

    def __init__(self, stream: IO[bytes], limits: Limits):
        super().__init__(limits)
        self._text, self.encoding = _decode_csv(stream.read())
        header = self._text.split("\n", 1)[0]
        self._delimiter = max(",;\t", key=header.count)
        self.declared_rows = max(
            0, self._text.count("\n") - (1 if self._text.endswith("\n") else 0)
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._delimiter)
        line = 0
        try:
            for line, values in enumerate(reader, start=1):
                if any("\x00" in v for v in values):
                    raise SpreadsheetError(
                        _("Tệp CSV chứa ký tự không hợp lệ (NUL) ở dòng %(row)s.") % {"row": line}
                    )
                if len(values) > self.limits.max_columns:
                    raise SpreadsheetError(
                        _("Dòng %(row)s có %(count)s cột; tối đa %(limit)s cột.")
                        % {"row": line, "count": _n(len(values)), "limit": self.limits.max_columns}
                    )
                cells = self._checked(line, list(values))
                if cells is not None:
                    yield line, cells
        except csv.Error as exc:
            raise SpreadsheetError(
                _("Tệp CSV bị lỗi định dạng ở dòng %(row)s.") % {"row": line + 1}
            ) from exc


# --- opening -------------------------------------------------------------------------------


def _size_of(stream: IO[bytes]) -> int:
    size = getattr(stream, "size", None)
    if isinstance(size, int):
        return size
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def open_table(file: bytes | IO[bytes], *, filename: str, limits: Limits | None = None) -> Table:
    """Check the file and open it as a table (XLSX or CSV, chosen by the file name's extension)."""
    limits = limits or Limits()
    stream: IO[bytes] = io.BytesIO(file) if isinstance(file, bytes | bytearray) else file
    size = _size_of(stream)
    if size > limits.upload_bytes:
        raise SpreadsheetError(
            _("Tệp quá lớn: %(size)s MB; tối đa %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(limits.upload_bytes)}
        )
    if size == 0:
        raise SpreadsheetError(_("Tệp rỗng."))
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    name = filename.lower()
    if name.endswith(".xlsx"):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise SpreadsheetError(
                _(
                    "Tệp là bảng tính Excel cũ (.xls) hoặc được đặt mật khẩu. Hãy mở bằng Excel, "
                    "bỏ mật khẩu nếu có, lưu lại dưới dạng .xlsx rồi nhập lại."
                )
            )
        if not head.startswith(b"PK"):
            raise SpreadsheetError(_("Tệp .xlsx không hợp lệ (không phải bảng tính Excel)."))
        return XlsxTable(stream, limits)
    if name.endswith(".csv"):
        return CsvTable(stream, limits)
    raise SpreadsheetError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
