"""Import and export of the registry (units, blocs, memberships per year, leader/deputy per year).

One flat table, the same in XLSX and CSV: one row per unit per bloc-year. A row with the
bloc columns empty only registers the unit. See README.md, "Nhập/xuất danh mục".

The import is all-or-nothing: every row is validated first, then everything is written in one
transaction. Matching is by province and code, so importing the same file twice changes
nothing, and the app's own export re-imports with zero changes.

Imports follow the 2025 reorganisation:
- the «Tỉnh» column says whose row it is: the importing organizer, or a province that merged
  into it (its history, before the merger); empty means the importing organizer;
- a unit that is new to the importing organizer is matched against the units of the provinces
  that merged into it: by code, then by the «Mã đơn vị tiền thân» column, then by name
  similarity. A bloc likewise (by code, then name). The links are shown in a preview
  («8 đơn vị sẽ được nối với đơn vị cũ của tỉnh Hà Giang; 2 đơn vị mới») and written only on
  confirmation, as lineage dated at the merger;
- a name that differs from the stored one becomes a dated name record (from 1 January of the
  first year the file shows it, this year or later), never an overwrite; a different name for
  a past year is refused (past names change only through «Đổi tên», with a date);
- one unit cannot be both Khối trưởng and Khối phó of a year (also a database constraint).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khoithidua.lib.formulas import FORMULA_REJECT, neutralize, unneutralize

from . import matching
from .models import (
    Bloc,
    BlocName,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Level,
    Membership,
    Organizer,
    Unit,
    UnitEvent,
    UnitName,
    year_reference_date,
)
from .services import audit, both_roles_message

COLUMNS = [
    ("province", "Tỉnh"),
    ("bloc_code", "Mã khối"),
    ("bloc_name", "Tên khối"),
    ("bloc_short_name", "Ký hiệu khối"),
    ("bloc_kind", "Loại"),
    ("bloc_level", "Cấp"),
    ("year", "Năm"),
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("unit_short_name", "Tên viết tắt"),
    ("role", "Vai trò"),
    ("predecessor_code", "Mã đơn vị tiền thân"),
]
REQUIRED = {"unit_code", "unit_name"}
LABEL = dict(COLUMNS)

KIND_VALUES = {
    "khoi": Bloc.Kind.KHOI,
    "khoi thi dua": Bloc.Kind.KHOI,
    "cum": Bloc.Kind.CUM,
    "cum thi dua": Bloc.Kind.CUM,
    "": Bloc.Kind.KHOI,
}
LEVEL_VALUES = {"tinh": Level.PROVINCE, "trung uong": Level.CENTRAL, "huyen": Level.DISTRICT}
ROLE_VALUES = {
    "": None,
    "khoi truong": LeadershipTerm.Role.LEADER,
    "cum truong": LeadershipTerm.Role.LEADER,
    "truong khoi": LeadershipTerm.Role.LEADER,
    "truong cum": LeadershipTerm.Role.LEADER,
    "khoi pho": LeadershipTerm.Role.DEPUTY,
    "cum pho": LeadershipTerm.Role.DEPUTY,
    "pho khoi": LeadershipTerm.Role.DEPUTY,
    "pho cum": LeadershipTerm.Role.DEPUTY,
}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
PREDECESSOR_RE = re.compile(r"^([A-Za-z0-9_-]{1,40}/)?[A-Za-z0-9_-]{1,60}$")
MAX_ROWS = 100_000


def fold(text: str) -> str:
    """Lowercase without diacritics, for forgiving header and value matching."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


HEADER_LOOKUP = {fold(label): key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Dòng %(row)s, cột «%(col)s»: %(msg)s") % {
                "row": self.row,
                "col": self.column,
                "msg": self.message,
            }
        return _("Dòng %(row)s: %(msg)s") % {"row": self.row, "msg": self.message}


@dataclass
class UnitLink:
    """A unit of the file joined to its predecessor in a province that merged away."""

    code: str  # the file's unit code (a unit of the importing organizer)
    name: str
    predecessor: Unit
    organizer: Organizer  # the predecessor's (merged) organizer
    reason: str
    line: int


@dataclass
class BlocLink:
    """A bloc of the file that continues a bloc of a province that merged away."""

    code: str
    name: str
    predecessor: Bloc
    organizer: Organizer
    reason: str
    line: int


@dataclass
class Rename:
    """A name change read from the file: kept as a dated record, never an overwrite."""

    obj: Unit | Bloc
    old_name: str
    old_short: str
    new_name: str
    new_short: str
    effective: dt.date
    line: int

    @property
    def is_unit(self) -> bool:
        return isinstance(self.obj, Unit)


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unit_links: list[UnitLink] = field(default_factory=list)
    bloc_links: list[BlocLink] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)
    new_unit_codes: list[str] = field(default_factory=list)  # new units of the organizer
    suggestions: dict[str, list[tuple[Unit, str]]] = field(default_factory=dict)
    pending: bool = False  # nothing written: the plan awaits the operator's confirmation
    stale: bool = False  # the registry changed since the preview that was confirmed

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    @property
    def needs_confirmation(self) -> bool:
        """Links to predecessors and name changes are history: they are shown before written."""
        return bool(self.unit_links or self.bloc_links or self.renames)

    @property
    def digest(self) -> str:
        """A fingerprint of the plan, so a confirmation applies what the preview showed."""
        parts = sorted(f"u:{link.code}:{link.predecessor.pk}" for link in self.unit_links)
        parts += sorted(f"b:{link.code}:{link.predecessor.pk}" for link in self.bloc_links)
        parts += sorted(
            f"r:{type(r.obj).__name__}:{r.obj.pk}:{r.new_name}:{r.new_short}:{r.effective}"
            for r in self.renames
        )
        parts.append(f"n:{','.join(sorted(self.new_unit_codes))}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def summary_lines(self) -> list[str]:
        """«8 đơn vị sẽ được nối với đơn vị cũ của tỉnh Hà Giang», «2 đơn vị mới», …"""
        lines = []
        by_org: dict[int, tuple[Organizer, int]] = {}
        for link in self.unit_links:
            org, n = by_org.get(link.organizer.pk, (link.organizer, 0))
            by_org[org.pk] = (org, n + 1)
        for org, n in by_org.values():
            lines.append(
                _("%(n)s đơn vị sẽ được nối với đơn vị cũ của %(org)s")
                % {"n": n, "org": _former_title(org)}
            )
        linked = {link.code for link in self.unit_links}
        new = [c for c in self.new_unit_codes if c not in linked]
        if new:
            lines.append(_("%(n)s đơn vị mới") % {"n": len(new)})
        by_org = {}
        for link in self.bloc_links:
            org, n = by_org.get(link.organizer.pk, (link.organizer, 0))
            by_org[org.pk] = (org, n + 1)
        for org, n in by_org.values():
            lines.append(
                _("%(n)s khối sẽ kế tục khối cũ của %(org)s") % {"n": n, "org": _former_title(org)}
            )
        units = sum(1 for r in self.renames if r.is_unit)
        if units:
            lines.append(_("%(n)s đơn vị đổi tên (ghi lại tên cũ theo ngày)") % {"n": units})
        blocs = len(self.renames) - units
        if blocs:
            lines.append(_("%(n)s khối đổi tên (ghi lại tên cũ theo ngày)") % {"n": blocs})
        return lines


def _former_title(org: Organizer) -> str:
    """«tỉnh Hà Giang»: the merged province as it was called on its last day."""
    if org.merged_on:
        return org.title_on(org.merged_on - dt.timedelta(days=1))
    return org.title_on(timezone.localdate())

    def bump(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[what] = target.get(what, 0) + 1


# --- reading --------------------------------------------------------------------------------


def import_row_count(filename: str, data: bytes, *, stop_above: int | None = None) -> int:
    """The data rows of an upload, counted cheaply after the hostile-file checks (the declared
    dimension of an XLSX, the lines of a CSV). Raises ImportFileError for a refused file.

    A declared size is trusted only when it says "big" (above `stop_above`; the job streams the
    rows and enforces MAX_ROWS anyway). A small declared size may lie (an XLSX declaring A1:I2
    over 100,000 rows would otherwise be imported in the request), so the rows are streamed in
    read_only mode, only up to `stop_above` + 1 (enough to tell a big file). A CSV with more
    lines than MAX_ROWS is streamed in full: it is refused here if its rows really are too many
    (a line count also counts blank lines and line breaks inside cells)."""
    from khoithidua.lib.spreadsheet import Limits, SpreadsheetError, open_table

    try:
        with open_table(data, filename=filename, limits=Limits(max_rows=MAX_ROWS)) as table:
            declared = table.declared_rows
            if declared is not None and declared > MAX_ROWS:
                return max(sum(1 for _ in table.rows()) - 1, 0)
            if declared is not None and (stop_above is None or declared > stop_above):
                return declared
            rows = table.rows()
            if stop_above is not None:
                rows = itertools.islice(rows, stop_above + 2)  # the header, then the rows
            return max(sum(1 for _ in rows) - 1, 0)
    except SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of strings (header first) from an .xlsx or .csv upload."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportFileError(_("Tệp .xlsx không hợp lệ (không phải bảng tính Excel)."))
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise ImportFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    """Checked before parsing (khoithidua.lib.spreadsheet: zip directory, uncompressed size and
    ratio, declared dimensions, row count), then streamed in read_only mode."""
    from khoithidua.lib.spreadsheet import Limits, SpreadsheetError, open_table

    rows: list[list[str]] = []
    try:
        with open_table(data, filename="import.xlsx", limits=Limits(max_rows=MAX_ROWS)) as table:
            for line, cells in table.rows():
                rows.extend([] for _ in range(line - 1 - len(rows)))  # keep the line numbers
                rows.append(cells)
    except SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("Tệp CSV phải được mã hoá UTF-8.")) from exc
    if "\x00" in text:
        raise ImportFileError(_("Tệp CSV chứa ký tự không hợp lệ (NUL)."))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(
            _("Tệp có quá %(n)s dòng.") % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
        )
    return rows


# --- validating -----------------------------------------------------------------------------


@dataclass(slots=True)  # 100,000 of them in a national import: no per-row __dict__
class ParsedRow:
    line: int
    unit_code: str
    unit_name: str
    unit_short_name: str
    bloc_code: str
    bloc_name: str

    bloc_kind: str
    bloc_level: str
    year: int | None
    role: str | None
    bloc_short_name: str = ""
    province: str = ""
    predecessor_code: str = ""
    org: Organizer | None = None  # whose row it is, once the «Tỉnh» column is resolved

    @property
    def unit_key(self) -> tuple[int, str]:
        return (self.org.pk, self.unit_code)

    @property
    def bloc_key(self) -> tuple[int, str]:
        return (self.org.pk, self.bloc_code)


def _clean_value(raw: str) -> str:
    value = raw.strip()
    # Our own export neutralises formulas with a leading apostrophe; undo that on import.
    return unneutralize(value)


def _bad_chars(value: str) -> bool:
    return any((ord(c) < 32 and c not in "\t") or 0x7F <= ord(c) < 0xA0 for c in value)


def parse_rows(rows: list[list[str]], result: ImportResult) -> list[ParsedRow]:
    """The checked rows of a table read by `read_table` (header first). Each raw row is dropped
    from `rows` once parsed, so a 100,000-row file's cells and its parsed rows are never all in
    memory together."""
    if not rows or not any(c.strip() for c in rows[0]):
        raise ImportFileError(_("Tệp trống hoặc thiếu dòng tiêu đề."))
    header = [HEADER_LOOKUP.get(fold(c)) for c in rows[0]]
    missing = [LABEL[k] for k in REQUIRED | {"bloc_code", "year"} if k not in header]
    if missing:
        raise ImportFileError(
            _("Thiếu cột: %(missing)s. Dòng đầu tiên phải là tiêu đề: %(header)s.")
            % {
                "missing": ", ".join(f"«{m}»" for m in sorted(missing)),
                "header": ", ".join(label for _key, label in COLUMNS),
            }
        )
    index = {key: i for i, key in enumerate(header) if key}
    parsed: list[ParsedRow] = []
    # One string object per distinct value: a unit's code and name repeat on each of its years,
    # a bloc's on each of its rows (a national file holds each 5 to 200 times).
    distinct: dict[str, str] = {}
    for n in range(2, len(rows) + 1):
        raw, rows[n - 1] = rows[n - 1], None
        if not any(str(c).strip() for c in raw):
            continue
        result.rows += 1
        values = {}
        row_ok = True
        for key, i in index.items():
            value = _clean_value(raw[i]) if i < len(raw) else ""
            value = distinct.setdefault(value, value)
            if value.startswith(FORMULA_REJECT):
                result.errors.append(
                    RowError(
                        n,
                        LABEL[key],
                        _("không được bắt đầu bằng =, + hoặc @ (công thức bảng tính)."),
                    )
                )
                row_ok = False
            elif _bad_chars(value):
                result.errors.append(
                    RowError(n, LABEL[key], _("chứa ký tự điều khiển không hợp lệ."))
                )
                row_ok = False
            elif len(value) > 255:
                result.errors.append(RowError(n, LABEL[key], _("dài quá 255 ký tự.")))
                row_ok = False
            values[key] = value
        for key in ("unit_code", "unit_name"):
            if row_ok and not values.get(key):
                result.errors.append(RowError(n, LABEL[key], _("không được để trống.")))
                row_ok = False
        if values.get("unit_code") and not CODE_RE.match(values["unit_code"]):
            result.errors.append(
                RowError(
                    n,
                    LABEL["unit_code"],
                    _("chỉ gồm chữ không dấu, số, gạch ngang hoặc gạch dưới (tối đa 60 ký tự)."),
                )
            )
            row_ok = False
        if len(values.get("unit_short_name", "")) > 80:
            result.errors.append(RowError(n, LABEL["unit_short_name"], _("dài quá 80 ký tự.")))
            row_ok = False
        if len(values.get("bloc_short_name", "")) > 30:
            result.errors.append(RowError(n, LABEL["bloc_short_name"], _("dài quá 30 ký tự.")))
            row_ok = False
        if values.get("predecessor_code") and not PREDECESSOR_RE.match(values["predecessor_code"]):
            result.errors.append(
                RowError(
                    n,
                    LABEL["predecessor_code"],
                    _(
                        "ghi mã đơn vị cũ (ví dụ cong-an) hoặc «mã tỉnh cũ/mã đơn vị» "
                        "(ví dụ ha-giang/cong-an)."
                    ),
                )
            )
            row_ok = False
        bloc_code = values.get("bloc_code", "")
        year = None
        role = None
        kind = KIND_VALUES.get(fold(values.get("bloc_kind", "")))
        level = (
            LEVEL_VALUES.get(fold(values.get("bloc_level", "")), None)
            if values.get("bloc_level")
            else ""
        )
        if bloc_code:
            if not CODE_RE.match(bloc_code):
                result.errors.append(
                    RowError(
                        n,
                        LABEL["bloc_code"],
                        _(
                            "chỉ gồm chữ không dấu, số, gạch ngang hoặc gạch dưới (tối đa 60 ký tự)."
                        ),
                    )
                )
                row_ok = False
            year_text = values.get("year", "")
            try:
                year = int(year_text)
                if not 1945 <= year <= 2200:
                    raise ValueError
            except ValueError:
                result.errors.append(
                    RowError(
                        n,
                        LABEL["year"],
                        _("«%(year)s» không phải là năm hợp lệ (ví dụ 2024).")
                        % {"year": year_text[:20]}
                        if year_text
                        else _("không được để trống khi có mã khối."),
                    )
                )
                row_ok = False
            if kind is None:
                result.errors.append(
                    RowError(n, LABEL["bloc_kind"], _("chỉ nhận «Khối» hoặc «Cụm»."))
                )
                row_ok = False
            if level is None:
                result.errors.append(
                    RowError(
                        n, LABEL["bloc_level"], _("chỉ nhận «Tỉnh», «Trung ương» hoặc «Huyện».")
                    )
                )
                row_ok = False
            role_key = fold(values.get("role", ""))
            if role_key not in ROLE_VALUES:
                result.errors.append(
                    RowError(
                        n,
                        LABEL["role"],
                        _(
                            "chỉ nhận «Khối trưởng», «Khối phó» (hoặc «Cụm trưởng», «Cụm phó») hoặc để trống."
                        ),
                    )
                )
                row_ok = False
            else:
                role = ROLE_VALUES[role_key]
        else:
            for key in ("bloc_name", "bloc_short_name", "year", "role"):
                if values.get(key):
                    result.errors.append(
                        RowError(n, LABEL[key], _("cần có «Mã khối» trên cùng dòng."))
                    )
                    row_ok = False
                    break
        if row_ok:
            parsed.append(
                ParsedRow(
                    line=n,
                    unit_code=values["unit_code"],
                    unit_name=values["unit_name"],
                    unit_short_name=values.get("unit_short_name", ""),
                    bloc_code=bloc_code,
                    bloc_name=values.get("bloc_name", ""),
                    bloc_short_name=values.get("bloc_short_name", ""),
                    province=values.get("province", ""),
                    predecessor_code=values.get("predecessor_code", ""),
                    bloc_kind=kind or Bloc.Kind.KHOI,
                    bloc_level=level or "",
                    year=year,
                    role=role,
                )
            )
    return parsed


# --- whose rows: the organizer and the provinces that merged into it ------------------------


def organizer_scope(organizer: Organizer) -> list[Organizer]:
    """The organizer, then every organizer that merged into it (transitively)."""
    scope = [organizer]
    frontier = [organizer.pk]
    seen = {organizer.pk}
    for _i in range(10):
        found = [
            o
            for o in Organizer.objects.filter(merged_into_id__in=frontier)
            .select_related("merged_into")
            .prefetch_related("former_names")
            .order_by("name")
            if o.pk not in seen
        ]
        if not found:
            break
        scope += found
        seen |= {o.pk for o in found}
        frontier = [o.pk for o in found]
    return scope


def last_active_day(org: Organizer, day: dt.date) -> dt.date:
    """`day`, or the day before the organizer merged away if that comes first."""
    if org.is_defunct_on(day):
        return org.merged_on - dt.timedelta(days=1)
    return day


def row_date(org: Organizer, year: int | None) -> dt.date:
    """The day whose names a row shows: its year's reference date (today for a row with no
    year), never after the organizer's last day. The export and the import agree on it."""
    day = year_reference_date(year) if year else timezone.localdate()
    day = last_active_day(org, day)
    if year:
        day = max(day, dt.date(year, 1, 1))
    return day


def province_label(org: Organizer, day: dt.date) -> str:
    """What the «Tỉnh» column says for an organizer on `day`: its province, or its name."""
    record = org.record_on(day)
    province = record.province if record else org.province
    if province:
        return province
    return record.name if record else org.name


def _province_lookup(scope: list[Organizer]) -> dict[str, Organizer | None]:
    lookup: dict[str, Organizer | None] = {}

    def add(text: str, org: Organizer) -> None:
        key = fold(text)
        if not key:
            return
        if key in lookup and lookup[key] is not None and lookup[key].pk != org.pk:
            lookup[key] = None  # ambiguous
        else:
            lookup.setdefault(key, org)

    for org in scope:
        for text in (org.province, org.name, org.code, org.official_code, org.legacy_code):
            add(text, org)
        if org.province:
            add(f"tỉnh {org.province}", org)
            add(f"thành phố {org.province}", org)
        for record in org.former_names.all():
            add(record.province, org)
            add(record.name, org)
    return lookup


def _resolve_provinces(
    parsed: list[ParsedRow], organizer: Organizer, scope: list[Organizer], result: ImportResult
) -> list[ParsedRow]:
    lookup = _province_lookup(scope)
    resolved = []
    for r in parsed:
        if not r.province:
            r.org = organizer
        else:
            r.org = lookup.get(fold(r.province))
            if r.org is None:
                names = ", ".join(f"«{province_label(o, timezone.localdate())}»" for o in scope)
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["province"],
                        _(
                            "«%(given)s» không phải là %(names)s. Chỉ nhập được cho tỉnh đã chọn "
                            "và các tỉnh đã hợp nhất vào tỉnh đó; để trống là tỉnh đã chọn."
                        )
                        % {"given": r.province[:60], "names": names},
                    )
                )
                continue
        resolved.append(r)
    return resolved


# --- validating against the file itself -------------------------------------------------------


def _check_consistency(parsed: list[ParsedRow], result: ImportResult, existing_blocs: dict) -> None:
    unit_first: dict[tuple, dict] = {}  # unit key → {year: first row}
    bloc_first: dict[tuple, ParsedRow] = {}
    bloc_names: dict[tuple, dict] = {}
    seen_member: dict[tuple, int] = {}
    roles: dict[tuple, int] = {}
    predecessor_first: dict[tuple, ParsedRow] = {}
    for r in parsed:
        first = unit_first.setdefault(r.unit_key, {}).setdefault(r.year, r)
        if first is not r and (
            first.unit_name != r.unit_name
            or (
                r.unit_short_name
                and first.unit_short_name
                and r.unit_short_name != first.unit_short_name
            )
        ):
            result.errors.append(
                RowError(
                    r.line,
                    LABEL["unit_name"],
                    (
                        _(
                            "đơn vị «%(code)s» có tên khác với dòng %(line)s trong cùng năm %(year)s."
                        )
                        if r.year
                        else _("đơn vị «%(code)s» có tên khác với dòng %(line)s.")
                    )
                    % {"code": r.unit_code, "line": first.line, "year": r.year},
                )
            )
        if r.predecessor_code:
            pfirst = predecessor_first.setdefault(r.unit_key, r)
            if pfirst.predecessor_code != r.predecessor_code:
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["predecessor_code"],
                        _("đơn vị «%(code)s» có mã đơn vị tiền thân khác với dòng %(line)s.")
                        % {"code": r.unit_code, "line": pfirst.line},
                    )
                )
        if not r.bloc_code:
            continue
        bfirst = bloc_first.setdefault(r.bloc_key, r)
        if bfirst is not r:
            if r.bloc_kind != bfirst.bloc_kind or (
                r.bloc_level and bfirst.bloc_level and r.bloc_level != bfirst.bloc_level
            ):
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["bloc_kind"],
                        _("khối «%(code)s» có loại/cấp khác với dòng %(line)s.")
                        % {"code": r.bloc_code, "line": bfirst.line},
                    )
                )
        elif not r.bloc_name and r.bloc_key not in existing_blocs:
            result.errors.append(
                RowError(
                    r.line,
                    LABEL["bloc_name"],
                    _("khối mới «%(code)s» cần có tên.") % {"code": r.bloc_code},
                )
            )
        yfirst = bloc_names.setdefault(r.bloc_key, {}).setdefault(r.year, r)
        if yfirst is not r and (
            (r.bloc_name and yfirst.bloc_name and r.bloc_name != yfirst.bloc_name)
            or (
                r.bloc_short_name
                and yfirst.bloc_short_name
                and r.bloc_short_name != yfirst.bloc_short_name
            )
        ):
            result.errors.append(
                RowError(
                    r.line,
                    LABEL["bloc_name"],
                    _("khối «%(code)s» năm %(year)s có tên khác với dòng %(line)s.")
                    % {"code": r.bloc_code, "year": r.year, "line": yfirst.line},
                )
            )
        key = (r.org.pk, r.bloc_code, r.year, r.unit_code)
        if key in seen_member:
            result.errors.append(
                RowError(
                    r.line,
                    None,
                    _("đơn vị «%(unit)s» đã có trong khối «%(bloc)s» năm %(year)s ở dòng %(line)s.")
                    % {
                        "unit": r.unit_code,
                        "bloc": r.bloc_code,
                        "year": r.year,
                        "line": seen_member[key],
                    },
                )
            )
        else:
            seen_member[key] = r.line
        if r.role:
            rkey = (r.org.pk, r.bloc_code, r.year, r.role)
            if rkey in roles:
                label = _("Khối trưởng") if r.role == LeadershipTerm.Role.LEADER else _("Khối phó")
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["role"],
                        _("khối «%(code)s» năm %(year)s đã có %(role)s ở dòng %(line)s.")
                        % {"code": r.bloc_code, "year": r.year, "role": label, "line": roles[rkey]},
                    )
                )
            else:
                roles[rkey] = r.line


# --- validating against the registry: defunct provinces, names, roles, links -----------------


def _check_active(parsed: list[ParsedRow], units: dict, result: ImportResult) -> None:
    """A province that merged away takes no new years, units or names after its date."""
    for r in parsed:
        if r.year and r.org.is_defunct_on(dt.date(r.year, 1, 1)):
            result.errors.append(RowError(r.line, LABEL["year"], r.org.defunct_message() + "."))
        elif not r.year and r.org.is_defunct_on(timezone.localdate()):
            if r.unit_key not in units:
                result.errors.append(
                    RowError(r.line, LABEL["unit_code"], r.org.defunct_message() + ".")
                )


def _plan_names(
    rows_by_key: dict[tuple, list[ParsedRow]],
    existing: dict,
    result: ImportResult,
    *,
    name_of,
    short_of,
    column: str,
    short_column: str,
    what: str,
) -> None:
    """Compare the file's names with the stored names of the same day; plan the changes.

    The rows of one unit (or bloc), in date order, must agree with the stored names up to
    some date and carry one new name from then on: that tail becomes a dated rename from
    1 January of its first year. Anything else would rewrite a past name: refused."""
    today = timezone.localdate()
    days: dict[tuple, dt.date] = {}

    def day_of(r: ParsedRow) -> dt.date:
        key = (r.org.pk, r.year)
        if key not in days:
            days[key] = row_date(r.org, r.year)
        return days[key]

    for key, rows in rows_by_key.items():
        obj = existing.get(key)
        if obj is None:
            # Something new has one name: its history cannot come from the file.
            named = [r for r in rows if name_of(r)]
            for r in named[1:]:
                if name_of(r) != name_of(named[0]) or (
                    short_of(r) and short_of(named[0]) and short_of(r) != short_of(named[0])
                ):
                    message = (
                        _("đơn vị «%(code)s» có tên khác với dòng %(line)s.")
                        if what == "đơn vị"
                        else _("khối «%(code)s» có tên khác với dòng %(line)s.")
                    )
                    code = r.unit_code if what == "đơn vị" else r.bloc_code
                    result.errors.append(
                        RowError(r.line, column, message % {"code": code, "line": named[0].line})
                    )
                    break
            continue
        dated = sorted(
            ((day_of(r), r) for r in rows if name_of(r)),
            key=lambda x: (x[0], x[1].line),
        )
        mismatch = [
            (day, r)
            for day, r in dated
            if name_of(r) != obj.name_on(day)
            or (short_of(r) and short_of(r) != obj.short_name_on(day))
        ]
        if not mismatch:
            continue
        first_day, first = mismatch[0]
        tail = [(day, r) for day, r in dated if day >= first_day]
        before = [day for day, _r in dated if day < first_day]
        new_name = name_of(first)
        new_short = next((short_of(r) for _d, r in tail if short_of(r)), obj.short_name)
        effective = dt.date(first.year, 1, 1) if first.year else today
        last = max((n.valid_until for n in obj.former_names.all()), default=None)
        if (
            effective.year < today.year
            or (before and effective <= before[-1])
            or (last and effective <= last)
        ):
            # A past year keeps its names: documents and pages of that year already show them.
            stored = obj.name_on(first_day)
            if name_of(first) == stored:
                stored = obj.short_name_on(first_day)
            given = f"«{name_of(first)}»" + (f" ({short_of(first)})" if short_of(first) else "")
            unit = what == "đơn vị"
            if first.year:
                message = (
                    _(
                        "đơn vị «%(code)s» năm %(year)s có tên «%(stored)s» trong danh mục; tệp "
                        "ghi %(given)s. Tên đã dùng trong quá khứ không đổi qua tệp nhập; dùng "
                        "«Đổi tên» trên trang của đơn vị để ghi tên mới kèm ngày hiệu lực."
                    )
                    if unit
                    else _(
                        "khối «%(code)s» năm %(year)s có tên «%(stored)s» trong danh mục; tệp "
                        "ghi %(given)s. Tên đã dùng trong quá khứ không đổi qua tệp nhập; dùng "
                        "«Đổi tên» trên trang của khối để ghi tên mới kèm ngày hiệu lực."
                    )
                )
            else:
                message = (
                    _(
                        "đơn vị «%(code)s» có tên «%(stored)s» trong danh mục; tệp ghi "
                        "%(given)s. Tên đã dùng trong quá khứ không đổi qua tệp nhập; dùng "
                        "«Đổi tên» trên trang của đơn vị để ghi tên mới kèm ngày hiệu lực."
                    )
                    if unit
                    else _(
                        "khối «%(code)s» có tên «%(stored)s» trong danh mục; tệp ghi "
                        "%(given)s. Tên đã dùng trong quá khứ không đổi qua tệp nhập; dùng "
                        "«Đổi tên» trên trang của khối để ghi tên mới kèm ngày hiệu lực."
                    )
                )
            result.errors.append(
                RowError(
                    first.line,
                    column if name_of(first) != obj.name_on(first_day) else short_column,
                    message
                    % {
                        "code": first.unit_code if unit else first.bloc_code,
                        "year": first.year,
                        "stored": stored,
                        "given": given,
                    },
                )
            )
            continue
        problem = None
        if any(name_of(r) != new_name for _d, r in tail) or any(
            short_of(r) and short_of(r) != new_short for _d, r in tail
        ):
            problem = _("tên trong tệp đổi qua lại giữa các năm.")
        elif first.org.is_defunct_on(effective):
            problem = first.org.defunct_message() + "."
        if problem:
            result.errors.append(RowError(first.line, column, problem))
            continue
        result.renames.append(
            Rename(
                obj=obj,
                old_name=obj.name,
                old_short=obj.short_name,
                new_name=new_name,
                new_short=new_short,
                effective=effective,
                line=first.line,
            )
        )


def _check_roles(
    parsed: list[ParsedRow], blocs: dict, units_by_id: dict, result: ImportResult
) -> None:
    """After the file, no bloc-year may have one unit as both Khối trưởng and Khối phó."""
    wanted: dict[tuple, dict] = {}
    for r in parsed:
        if r.role:
            wanted.setdefault((r.bloc_key, r.year), {})[r.role] = r
    if not wanted:
        return
    bloc_ids = {blocs[k].pk: k for (k, _y) in wanted if k in blocs}
    stored: dict[tuple, dict] = {}
    for bloc_id, year, role, unit_id in LeadershipTerm.objects.filter(
        bloc_year__bloc_id__in=list(bloc_ids)
    ).values_list("bloc_year__bloc_id", "bloc_year__year", "role", "unit_id"):
        unit = units_by_id.get(unit_id)
        key = (unit.organizer_id, unit.code) if unit else ("id", unit_id)
        stored.setdefault((bloc_ids[bloc_id], year), {})[role] = key
    leader, deputy = LeadershipTerm.Role.LEADER, LeadershipTerm.Role.DEPUTY
    for key, roles in wanted.items():
        final = dict(stored.get(key, {}))
        final.update({role: r.unit_key for role, r in roles.items()})
        if final.get(leader) is not None and final.get(leader) == final.get(deputy):
            row = roles.get(deputy) or roles[leader]
            result.errors.append(
                RowError(
                    row.line,
                    LABEL["role"],
                    _("%(message)s (đơn vị «%(unit)s», khối «%(bloc)s» năm %(year)s)")
                    % {
                        "message": both_roles_message(),
                        "unit": row.unit_code,
                        "bloc": row.bloc_code,
                        "year": row.year,
                    },
                )
            )


def _plan_links(
    organizer: Organizer,
    scope: list[Organizer],
    parsed: list[ParsedRow],
    units: dict,
    blocs: dict,
    result: ImportResult,
) -> None:
    """Join the organizer's new units and blocs to those of the provinces merged into it."""
    first_rows: dict[str, ParsedRow] = {}
    for r in parsed:
        if r.org.pk == organizer.pk:
            first_rows.setdefault(r.unit_code, r)
    result.new_unit_codes = [c for c in first_rows if (organizer.pk, c) not in units]
    predecessors = [o for o in scope if o.pk != organizer.pk]
    if not predecessors:
        for r in first_rows.values():
            if r.predecessor_code:
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["predecessor_code"],
                        _("không có tỉnh nào đã hợp nhất vào %(name)s.") % {"name": organizer.name},
                    )
                )
        return
    orgs = {o.pk: o for o in predecessors}
    candidates = [
        u
        for (org_id, _c), u in units.items()
        if org_id in orgs and u.merged_into_id is None and u.archived_at is None
    ]
    every = [u for (org_id, _c), u in units.items() if org_id in orgs]
    claimed: set[int] = set()
    # 1. The «Mã đơn vị tiền thân» column, for any unit of the organizer.
    for code, r in first_rows.items():
        if not r.predecessor_code:
            continue
        org_code, _sep, unit_code = r.predecessor_code.rpartition("/")
        found = [
            u
            for u in every
            if u.code == unit_code and (not org_code or orgs[u.organizer_id].code == org_code)
        ]
        message = None
        if not found:
            message = _("không tìm thấy đơn vị «%(code)s» trong %(provinces)s.") % {
                "code": r.predecessor_code,
                "provinces": ", ".join(_former_title(o) for o in predecessors),
            }
        elif len(found) > 1:
            message = _(
                "mã «%(code)s» có ở nhiều tỉnh; ghi «mã tỉnh cũ/mã đơn vị», ví dụ «%(example)s»."
            ) % {"code": unit_code, "example": f"{orgs[found[0].organizer_id].code}/{unit_code}"}
        else:
            unit = found[0]
            mine = units.get((organizer.pk, code))
            if unit.merged_into_id and (mine is None or unit.merged_into_id != mine.pk):
                message = _("đơn vị «%(name)s» đã được nối với một đơn vị khác.") % {
                    "name": unit.name
                }
            elif unit.pk in claimed:
                message = _("đơn vị «%(name)s» đã được nối ở một dòng khác.") % {"name": unit.name}
            elif not unit.merged_into_id:
                claimed.add(unit.pk)
                result.unit_links.append(
                    UnitLink(
                        code=code,
                        name=r.unit_name,
                        predecessor=unit,
                        organizer=orgs[unit.organizer_id],
                        reason=_("theo cột «Mã đơn vị tiền thân»"),
                        line=r.line,
                    )
                )
        if message:
            result.errors.append(RowError(r.line, LABEL["predecessor_code"], message))
    # 2. Code, short name, then name similarity, for the organizer's new units.
    explicit = {link.code for link in result.unit_links}
    rest = [
        c for c in result.new_unit_codes if c not in explicit and not first_rows[c].predecessor_code
    ]
    targets = [u for u in candidates if u.pk not in claimed]
    by_id = {u.pk: u for u in targets}
    items = [
        matching.Item(i, c, first_rows[c].unit_name, first_rows[c].unit_short_name)
        for i, c in enumerate(rest)
    ]
    guesses = matching.match_all(
        items, [matching.Item(u.pk, u.code, u.name, u.short_name) for u in targets]
    )
    chosen = matching.defaults(guesses)
    for item in items:
        target_id = chosen[item.id]
        if target_id is None:
            weak = [(by_id[g.target_id], g.label()) for g in guesses[item.id]]
            if weak:
                result.suggestions[item.code] = weak
            continue
        guess = next(g for g in guesses[item.id] if g.target_id == target_id)
        unit = by_id[target_id]
        result.unit_links.append(
            UnitLink(
                code=item.code,
                name=item.name,
                predecessor=unit,
                organizer=orgs[unit.organizer_id],
                reason=guess.label(),
                line=first_rows[item.code].line,
            )
        )
    result.unit_links.sort(key=lambda link: link.line)
    # Blocs: a new bloc of the organizer continues a bloc of a merged province.
    new_blocs: dict[str, ParsedRow] = {}
    for r in parsed:
        if r.bloc_code and r.org.pk == organizer.pk and (organizer.pk, r.bloc_code) not in blocs:
            new_blocs.setdefault(r.bloc_code, r)
    if not new_blocs:
        return
    succeeded = set(
        BlocSuccession.objects.filter(predecessor__organizer__in=predecessors).values_list(
            "predecessor_id", flat=True
        )
    )
    old_blocs = [b for (org_id, _c), b in blocs.items() if org_id in orgs and b.pk not in succeeded]
    by_id = {b.pk: b for b in old_blocs}
    codes = list(new_blocs)
    items = [
        matching.Item(i, c, new_blocs[c].bloc_name, new_blocs[c].bloc_short_name)
        for i, c in enumerate(codes)
    ]
    guesses = matching.match_all(
        items, [matching.Item(b.pk, b.code, _bloc_key_name(b), b.short_name) for b in old_blocs]
    )
    chosen = matching.defaults(guesses)
    for item in items:
        if chosen[item.id] is None:
            continue
        guess = next(g for g in guesses[item.id] if g.target_id == chosen[item.id])
        bloc = by_id[chosen[item.id]]
        result.bloc_links.append(
            BlocLink(
                code=item.code,
                name=item.name,
                predecessor=bloc,
                organizer=orgs[bloc.organizer_id],
                reason=guess.label(),
                line=new_blocs[item.code].line,
            )
        )


def _bloc_key_name(bloc: Bloc) -> str:
    """A bloc's name without its province («Khối Nội chính tỉnh Hà Giang» → «Khối Nội chính»),
    so the same bloc of two provinces looks alike."""
    province = bloc.organizer.province
    name = bloc.name
    if province:
        name = re.sub(
            r"\s*(tỉnh|thành phố)?\s*" + re.escape(province) + r"\s*$", "", name, flags=re.I
        )
    return name


# --- the import -------------------------------------------------------------------------------


def import_registry(
    *,
    organizer: Organizer,
    filename: str,
    data: bytes,
    actor=None,
    dry_run: bool = False,
    confirmed: bool = True,
    accept_links: set[str] | None = None,
    expected_digest: str | None = None,
    progress=None,
) -> ImportResult:
    """Validate the whole file, then write it in one transaction. Nothing is saved on any error.

    With `confirmed=False`, a plan that links units to a merged province's or changes names is
    only returned (`result.pending`), for the operator to review; the confirmation calls again
    with `confirmed=True`, the preview's `expected_digest` and the links kept (`accept_links`,
    the file's unit codes; None keeps all). `progress(step, total_steps)`, if given, is called
    as each of the three stages (read, checked, written) ends (the import job's progress bar)."""
    result = ImportResult()
    parsed = parse_rows(read_table(filename, data), result)  # the raw cells are freed here
    if progress:
        progress(1, 3)
    scope = organizer_scope(organizer)
    parsed = _resolve_provinces(parsed, organizer, scope, result)
    scope_ids = [o.pk for o in scope]
    by_pk = {o.pk: o for o in scope}
    units = {}
    for u in Unit.objects.filter(organizer_id__in=scope_ids).prefetch_related("former_names"):
        u.organizer = by_pk[u.organizer_id]
        units[(u.organizer_id, u.code)] = u
    blocs = {}
    for b in Bloc.objects.filter(organizer_id__in=scope_ids).prefetch_related("former_names"):
        b.organizer = by_pk[b.organizer_id]
        blocs[(b.organizer_id, b.code)] = b
    _check_consistency(parsed, result, blocs)
    _check_active(parsed, units, result)
    if not result.errors:
        unit_rows: dict[tuple, list[ParsedRow]] = {}
        bloc_rows: dict[tuple, list[ParsedRow]] = {}
        for r in parsed:
            unit_rows.setdefault(r.unit_key, []).append(r)
            if r.bloc_code:
                bloc_rows.setdefault(r.bloc_key, []).append(r)
        _plan_names(
            unit_rows,
            units,
            result,
            name_of=lambda r: r.unit_name,
            short_of=lambda r: r.unit_short_name,
            column=LABEL["unit_name"],
            short_column=LABEL["unit_short_name"],
            what="đơn vị",
        )
        _plan_names(
            bloc_rows,
            blocs,
            result,
            name_of=lambda r: r.bloc_name,
            short_of=lambda r: r.bloc_short_name,
            column=LABEL["bloc_name"],
            short_column=LABEL["bloc_short_name"],
            what="khối",
        )
        _check_roles(parsed, blocs, {u.pk: u for u in units.values()}, result)
        _plan_links(organizer, scope, parsed, units, blocs, result)
    if progress:
        progress(2, 3)
    if result.errors or dry_run:
        result.errors.sort(key=lambda e: e.row)
        return result
    if result.needs_confirmation and (
        not confirmed or (expected_digest is not None and expected_digest != result.digest)
    ):
        result.pending = True
        result.stale = confirmed
        return result
    if accept_links is not None:
        result.unit_links = [link for link in result.unit_links if link.code in accept_links]
    try:
        with transaction.atomic():
            _apply(organizer, parsed, result, units, blocs, actor)
            if result.changes:
                audit(
                    actor=actor,
                    action="registry.import",
                    obj=organizer,
                    summary=f"Nhập danh mục từ {filename[:100]}: {result.rows} dòng, {result.changes} thay đổi",
                    data={"created": result.created, "updated": result.updated},
                )
    except IntegrityError:
        # Someone changed the same registry at the same moment: nothing of ours was saved.
        result.created, result.updated = {}, {}
        result.errors.append(
            RowError(
                1,
                None,
                _(
                    "danh mục vừa được người khác thay đổi cùng lúc; chưa lưu gì, vui lòng nhập lại."
                ),
            )
        )
    return result


def _apply(
    organizer: Organizer,
    parsed: list[ParsedRow],
    result: ImportResult,
    units: dict,
    blocs: dict,
    actor,
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    events: list[UnitEvent] = []
    # Units: new ones, then dated renames, then links to predecessors.
    new_units: dict[tuple, Unit] = {}
    for r in parsed:
        if r.unit_key not in units and r.unit_key not in new_units:
            new_units[r.unit_key] = Unit(
                organizer=r.org,
                code=r.unit_code,
                name=r.unit_name,
                short_name=r.unit_short_name,
            )
    if new_units:
        Unit.objects.bulk_create(new_units.values(), batch_size=1000)
        result.created["units"] = len(new_units)
        for org_id in {k[0] for k in new_units}:
            codes = [c for (o, c) in new_units if o == org_id]
            for u in Unit.objects.filter(organizer_id=org_id, code__in=codes):
                units[(org_id, u.code)] = u
        events += [
            UnitEvent(
                unit=units[k],
                kind=UnitEvent.Kind.CREATED,
                effective_date=timezone.localdate(),
                new_name=units[k].name,
                basis="Nhập từ tệp danh mục",
                recorded_by=user,
            )
            for k in new_units
        ]
    _apply_renames(result, events, user)
    for link in result.unit_links:
        into = units[(organizer.pk, link.code)]
        old = link.predecessor
        day = link.organizer.merged_on
        old.merged_into, old.merged_on = into, day
        old.archived_at = old.archived_at or now
        basis = link.organizer.merge_basis
        events += UnitEvent.merge_pair(unit=old, into=into, day=day, basis=basis, user=user)
    if result.unit_links:
        Unit.objects.bulk_update(
            [link.predecessor for link in result.unit_links],
            ["merged_into", "merged_on", "archived_at"],
            batch_size=1000,
        )
        result.created["links"] = len(result.unit_links)
    # Blocs
    new_blocs: dict[tuple, Bloc] = {}
    changed_blocs = []
    for r in parsed:
        if not r.bloc_code:
            continue
        bloc = blocs.get(r.bloc_key) or new_blocs.get(r.bloc_key)
        if bloc is None:
            new_blocs[r.bloc_key] = Bloc(
                organizer=r.org,
                code=r.bloc_code,
                name=r.bloc_name,
                short_name=r.bloc_short_name,
                kind=r.bloc_kind,
                level=r.bloc_level or r.org.level,
            )
        elif bloc.pk and (
            bloc.kind != r.bloc_kind or (r.bloc_level and bloc.level != r.bloc_level)
        ):
            bloc.kind = r.bloc_kind
            bloc.level = r.bloc_level or bloc.level
            if bloc not in changed_blocs:
                changed_blocs.append(bloc)
    if new_blocs:
        Bloc.objects.bulk_create(new_blocs.values(), batch_size=1000)
        result.created["blocs"] = len(new_blocs)
        for org_id in {k[0] for k in new_blocs}:
            codes = [c for (o, c) in new_blocs if o == org_id]
            for b in Bloc.objects.filter(organizer_id=org_id, code__in=codes):
                blocs[(org_id, b.code)] = b
    if changed_blocs:
        Bloc.objects.bulk_update(changed_blocs, ["kind", "level"], batch_size=1000)
        result.bump("updated", "blocs")
    if result.bloc_links:
        BlocSuccession.objects.bulk_create(
            [
                BlocSuccession(
                    predecessor=link.predecessor,
                    successor=blocs[(organizer.pk, link.code)],
                    effective_date=link.organizer.merged_on,
                    basis=link.organizer.merge_basis,
                )
                for link in result.bloc_links
            ]
        )
        result.created["bloc_links"] = len(result.bloc_links)
    UnitEvent.objects.bulk_create(events, batch_size=1000)
    # Years
    bloc_ids = [b.pk for b in blocs.values()]
    years = {(y.bloc_id, y.year): y for y in BlocYear.objects.filter(bloc_id__in=bloc_ids)}
    wanted_years = {(blocs[r.bloc_key].pk, r.year) for r in parsed if r.bloc_code}
    missing_years = [
        BlocYear(bloc_id=b, year=y) for (b, y) in sorted(wanted_years) if (b, y) not in years
    ]
    if missing_years:
        BlocYear.objects.bulk_create(missing_years, batch_size=1000)
        result.created["years"] = len(missing_years)
        years = {(y.bloc_id, y.year): y for y in BlocYear.objects.filter(bloc_id__in=bloc_ids)}
    # Memberships
    year_ids = [years[k].pk for k in wanted_years]
    members = set(
        Membership.objects.filter(bloc_year_id__in=year_ids).values_list("bloc_year_id", "unit_id")
    )
    batch, created = [], 0
    for r in parsed:  # written 2,000 at a time: 100,000 Membership objects never live at once
        if not r.bloc_code:
            continue
        key = (years[(blocs[r.bloc_key].pk, r.year)].pk, units[r.unit_key].pk)
        if key not in members:
            members.add(key)
            batch.append(Membership(bloc_year_id=key[0], unit_id=key[1]))
            if len(batch) == 2000:
                Membership.objects.bulk_create(batch)
                created, batch = created + len(batch), []
    if batch:
        Membership.objects.bulk_create(batch)
        created += len(batch)
    if created:
        result.created["memberships"] = created
    # Leader and deputy. A changed term is replaced (delete, then insert), so two units that
    # swap roles never meet the one-role-per-unit constraint half-way.
    terms = {
        (t.bloc_year_id, t.role): t
        for t in LeadershipTerm.objects.filter(bloc_year_id__in=year_ids)
    }
    new_terms, replaced = [], []
    for r in parsed:
        if not r.role:
            continue
        year_id = years[(blocs[r.bloc_key].pk, r.year)].pk
        unit_id = units[r.unit_key].pk
        term = terms.get((year_id, r.role))
        if term is not None and term.unit_id == unit_id:
            continue
        if term is not None:
            replaced.append(term.pk)
        new_terms.append(
            LeadershipTerm(
                bloc_year_id=year_id,
                role=r.role,
                unit_id=unit_id,
                method=LeadershipTerm.Method.APPOINTED,
                status=LeadershipTerm.Status.CONFIRMED,
                reason="Nhập từ tệp danh mục",
                decided_by=user,
                decided_at=now,
            )
        )
    if replaced:
        LeadershipTerm.objects.filter(pk__in=replaced).delete()
        result.updated["terms"] = len(replaced)
    if len(new_terms) > len(replaced):
        result.created["terms"] = len(new_terms) - len(replaced)
    if new_terms:
        LeadershipTerm.objects.bulk_create(new_terms, batch_size=1000)


def _apply_renames(result: ImportResult, events: list, user) -> None:
    unit_names, bloc_names, units, blocs = [], [], [], []
    for r in result.renames:
        obj = r.obj
        last = max(obj.former_names.all(), key=lambda n: n.valid_until, default=None)
        record = dict(
            name=obj.name,
            short_name=obj.short_name,
            valid_from=last.valid_until if last else None,
            valid_until=r.effective,
        )
        if r.is_unit:
            unit_names.append(UnitName(unit=obj, **record))
            events.append(
                UnitEvent(
                    unit=obj,
                    kind=UnitEvent.Kind.RENAMED,
                    effective_date=r.effective,
                    old_name=obj.name,
                    new_name=r.new_name,
                    basis="Nhập từ tệp danh mục",
                    recorded_by=user,
                )
            )
            units.append(obj)
        else:
            bloc_names.append(BlocName(bloc=obj, basis="Nhập từ tệp danh mục", **record))
            blocs.append(obj)
        obj.name, obj.short_name = r.new_name, r.new_short
    UnitName.objects.bulk_create(unit_names)
    BlocName.objects.bulk_create(bloc_names)
    if units:
        Unit.objects.bulk_update(units, ["name", "short_name"])
        result.updated["units"] = len(units)
    if blocs:
        Bloc.objects.bulk_update(blocs, ["name", "short_name"])
        result.updated["blocs"] = result.updated.get("blocs", 0) + len(blocs)


# --- exporting ------------------------------------------------------------------------------


def _names_by_owner(model, owner_field: str, owner_ids) -> dict[int, list]:
    found: dict[int, list] = {}
    for record in model.objects.filter(**{f"{owner_field}_id__in": owner_ids}).only(
        owner_field, "name", "short_name", "valid_from", "valid_until"
    ):
        found.setdefault(getattr(record, f"{owner_field}_id"), []).append(record)
    for records in found.values():
        records.sort(key=lambda n: n.valid_until)
    return found


def _named(records, day: dt.date, name: str, short: str) -> tuple[str, str]:
    for record in records or ():
        if day < record.valid_until and (record.valid_from is None or day >= record.valid_from):
            return record.name, record.short_name
    return name, short


def export_rows(organizer_ids: list[int]) -> Iterator[list]:
    """Header plus one row per membership (with its confirmed role), then units without any
    membership. Each row carries the names of its year (its reference date) and its province,
    so the file re-imports unchanged. Plain tuples from `values_list`, streamed in chunks.

    Proposals that are not confirmed yet are not exported: the file holds decided facts only.
    """
    yield [label for _, label in COLUMNS]
    orgs = {
        o.pk: o
        for o in Organizer.objects.filter(pk__in=organizer_ids)
        .select_related("merged_into")
        .prefetch_related("former_names")
    }
    org_ids = list(orgs)
    terms = dict(
        ((y, u), role)
        for y, u, role in LeadershipTerm.objects.filter(
            bloc_year__bloc__organizer_id__in=org_ids, status=LeadershipTerm.Status.CONFIRMED
        ).values_list("bloc_year_id", "unit_id", "role")
    )
    blocs = {
        pk: row
        for pk, *row in Bloc.objects.filter(organizer_id__in=org_ids).values_list(
            "pk", "organizer_id", "code", "name", "short_name", "kind", "level"
        )
    }
    units = {
        pk: row
        for pk, *row in Unit.objects.filter(organizer_id__in=org_ids).values_list(
            "pk", "organizer_id", "code", "name", "short_name"
        )
    }
    unit_names = _names_by_owner(UnitName, "unit", list(units))
    bloc_names = _names_by_owner(BlocName, "bloc", list(blocs))
    kinds = {Bloc.Kind.KHOI: "Khối", Bloc.Kind.CUM: "Cụm"}
    levels = {Level.PROVINCE: "Tỉnh", Level.CENTRAL: "Trung ương", Level.DISTRICT: "Huyện"}
    leader_labels = {Bloc.Kind.KHOI: "Khối trưởng", Bloc.Kind.CUM: "Cụm trưởng"}
    deputy_labels = {Bloc.Kind.KHOI: "Khối phó", Bloc.Kind.CUM: "Cụm phó"}
    days: dict[tuple, tuple[dt.date, str]] = {}

    def day_of(org_id: int, year: int | None) -> tuple[dt.date, str]:
        key = (org_id, year)
        if key not in days:
            day = row_date(orgs[org_id], year)
            days[key] = (day, province_label(orgs[org_id], day))
        return days[key]

    seen_units = set()
    memberships = (
        Membership.objects.filter(bloc_year__bloc__organizer_id__in=org_ids)
        .order_by(
            "bloc_year__bloc__organizer__name",
            "bloc_year__bloc__code",
            "bloc_year__year",
            "unit__code",
        )
        .values_list("bloc_year__bloc_id", "bloc_year__year", "bloc_year_id", "unit_id")
    )
    for bloc_id, year, year_id, unit_id in memberships.iterator(chunk_size=5000):
        org_id, bcode, bname, bshort, kind, level = blocs[bloc_id]
        day, province = day_of(org_id, year)
        bname, bshort = _named(bloc_names.get(bloc_id), day, bname, bshort)
        _uorg, ucode, uname, ushort = units.get(unit_id) or _unit_row(unit_id)
        uname, ushort = _named(unit_names.get(unit_id), day, uname, ushort)
        role = terms.get((year_id, unit_id))
        role_label = ""
        if role == LeadershipTerm.Role.LEADER:
            role_label = leader_labels[kind]
        elif role == LeadershipTerm.Role.DEPUTY:
            role_label = deputy_labels[kind]
        seen_units.add(unit_id)
        yield [
            province,
            bcode,
            bname,
            bshort,
            kinds[kind],
            levels.get(level, ""),
            year,
            ucode,
            uname,
            ushort,
            role_label,
            "",
        ]
    rest = sorted(
        ((pk, row) for pk, row in units.items() if pk not in seen_units),
        key=lambda item: (orgs[item[1][0]].name, item[1][1]),
    )
    for pk, (org_id, ucode, uname, ushort) in rest:
        day, province = day_of(org_id, None)
        uname, ushort = _named(unit_names.get(pk), day, uname, ushort)
        yield [province, "", "", "", "", "", "", ucode, uname, ushort, "", ""]


def _unit_row(unit_id: int) -> tuple:
    """A member unit of another organizer (rare: a unit lent across provinces)."""
    return Unit.objects.filter(pk=unit_id).values_list(
        "organizer_id", "code", "name", "short_name"
    )[0]


def export_csv_stream(
    organizer_ids: list[int], rows: Iterator[list] | None = None
) -> Iterator[bytes]:
    """The CSV, line by line (UTF-8 with BOM), for a streaming response. `rows` (default:
    `export_rows(organizer_ids)`) lets a background job count the rows as they are written."""

    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield "\ufeff".encode()
    for row in export_rows(organizer_ids) if rows is None else rows:
        yield writer.writerow([neutralize(v) if isinstance(v, str) else v for v in row]).encode(
            "utf-8"
        )


def export_csv(organizer_ids: list[int]) -> bytes:
    return b"".join(export_csv_stream(organizer_ids))


def export_xlsx_to(organizer_ids: list[int], out, rows: Iterator[list] | None = None) -> None:
    """Write the XLSX into `out` (a path or a binary file), row by row into the ZIP entry
    (blocs.xlsx): memory stays bounded. Text cells are inline strings, never formulas."""
    from .xlsx import write_table

    if rows is None:
        rows = export_rows(organizer_ids)
    write_table(out, rows, sheet_name="Danh muc")


def export_xlsx(organizer_ids: list[int]) -> bytes:
    buf = io.BytesIO()
    export_xlsx_to(organizer_ids, buf)
    return buf.getvalue()


def export_row_count(organizer_ids: list[int]) -> int:
    """How many data rows `export_rows` yields (the header not counted), with two COUNT queries:
    one per membership, plus the organizers' units that are in none of those memberships."""
    memberships = Membership.objects.filter(bloc_year__bloc__organizer_id__in=organizer_ids)
    lone_units = Unit.objects.filter(organizer_id__in=organizer_ids).exclude(
        pk__in=memberships.values("unit_id")
    )
    return memberships.count() + lone_units.count()
