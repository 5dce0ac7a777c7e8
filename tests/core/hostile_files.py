"""Spreadsheet files built byte by byte: normal ones and the hostile ones of issue 12.

bench/import_registry.py may import these too (`from tests.core.hostile_files import ...`).
"""

from __future__ import annotations

import io
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Danh mục" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)


def column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list], *, dimension: str | None = "auto") -> str:
    """A worksheet with inline strings and numbers; `dimension` as declared (None: absent)."""
    parts = [SHEET_OPEN]
    if dimension == "auto":
        width = max((len(r) for r in rows), default=1)
        dimension = f"A1:{column_letters(width)}{max(len(rows), 1)}"
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for i, row in enumerate(rows, start=1):
        parts.append(f'<row r="{i}">')
        for j, value in enumerate(row, start=1):
            ref = f"{column_letters(j)}{i}"
            if value is None:
                continue
            if isinstance(value, int | float):
                parts.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif isinstance(value, str) and value.startswith("="):
                parts.append(f'<c r="{ref}"><f>{value[1:]}</f><v>0</v></c>')
            else:
                text = str(value).replace("&", "&amp;").replace("<", "&lt;")
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def xlsx_bytes(
    sheet: str | bytes,
    *,
    shared_strings: str | bytes = EMPTY_STRINGS,
    members: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", shared_strings)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def wide_sheet_xlsx() -> bytes:
    """The review's file: a few KB that declare 16,384 columns by 1,048,576 rows."""
    sheet = (
        SHEET_OPEN + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã đơn vị</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_bytes(sheet)


def wide_row_xlsx_without_dimension() -> bytes:
    """No dimension at all, and one row with data in column XFD (16,384)."""
    sheet = (
        SHEET_OPEN + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Mã</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    return xlsx_bytes(sheet)


def _raw_deflate(data: bytes, *, final: bool) -> bytes:
    """`data` as raw deflate blocks from a fresh compressor (so they refer to nothing before
    them), ending on a byte boundary: such segments can be concatenated and repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
    )


def zip_bomb_xlsx(*, inflated_mb: int = 712, lie_about_size: bool = False) -> bytes:
    """An XLSX whose sheet inflates to `inflated_mb` MB of rows, in about 1 KB per MB on disk.

    Built in well under a second: one compressed megabyte of rows, repeated. With
    lie_about_size, the zip directory declares 1 MB for the sheet.
    """
    head = (SHEET_OPEN + "<sheetData>").encode()
    row = b'<row><c t="inlineStr"><is><t>bom</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    chunk += b" " * (1024 * 1024 - len(chunk))
    tail = b"</sheetData></worksheet>"
    stream = (
        _raw_deflate(head, final=False)
        + _raw_deflate(chunk, final=False) * inflated_mb
        + _raw_deflate(tail, final=True)
    )
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * inflated_mb + len(tail)
    return _zip_with_raw_member(
        "xl/worksheets/sheet1.xml", stream, crc, 1024 * 1024 if lie_about_size else size
    )


def _zip_with_raw_member(name: str, raw: bytes, crc: int, size: int) -> bytes:
    """The normal members, plus `name` written from an already-deflated stream."""
    base = xlsx_bytes("")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC = crc
        info.compress_size = len(raw)
        info.file_size = size
        # Write the local header and the raw stream ourselves (zipfile would recompress).
        dst.fp.seek(dst.start_dir)
        info.header_offset = dst.start_dir
        info.flag_bits = 0
        info._compresslevel = None
        dst.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))
        dst.fp.write(raw)
        dst.start_dir = dst.fp.tell()
        dst.filelist.append(info)
        dst.NameToInfo[name] = info
    return buf.getvalue()


def legacy_xls_bytes() -> bytes:
    """The start of an OLE2 compound file: Excel 97-2003 (.xls) and password-protected .xlsx."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504


def to_cp1258(text: str) -> bytes:
    """Vietnamese text as Excel's "CSV" writes it on a Vietnamese Windows (tone marks combining)."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        marks = "".join(c for c in decomposed if c in tones)
        out.append((base + marks).encode("cp1258"))
    return b"".join(out)
