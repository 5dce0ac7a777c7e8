"""Import and export of the registry (units, blocs, memberships per year, leader/deputy per year).

One flat table, the same in XLSX and CSV: one row per unit per bloc-year. A row with the
bloc columns empty only registers the unit. See README.md, "Nhập/xuất danh mục".

The import is all-or-nothing: every row is validated first, then everything is written in one
transaction. Matching is by code, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Bloc, BlocYear, LeadershipTerm, Level, Membership, Organizer, Unit
from .services import audit

COLUMNS = [
    ("bloc_code", "Mã khối"),
    ("bloc_name", "Tên khối"),
    ("bloc_kind", "Loại"),
    ("bloc_level", "Cấp"),
    ("year", "Năm"),
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("unit_short_name", "Tên viết tắt"),
    ("role", "Vai trò"),
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
FORMULA_START = ("=", "+", "-", "@")
FORMULA_REJECT = ("=", "+", "@")
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
            return f"Dòng {self.row}, cột «{self.column}»: {self.message}"
        return f"Dòng {self.row}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def bump(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[what] = target.get(what, 0) + 1


# --- reading --------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of strings (header first) from an .xlsx or .csv upload."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportFileError("Tệp .xlsx không hợp lệ (không phải bảng tính Excel).")
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise ImportFileError("Chỉ nhận tệp .xlsx hoặc .csv.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(
            "Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng."
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i > MAX_ROWS:
                raise ImportFileError(f"Tệp có quá {MAX_ROWS:,} dòng.".replace(",", "."))
            rows.append([_cell_text(v) for v in row])
        return rows
    finally:
        wb.close()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("Tệp CSV phải được mã hoá UTF-8.") from exc
    if "\x00" in text:
        raise ImportFileError("Tệp CSV chứa ký tự không hợp lệ (NUL).")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"Tệp có quá {MAX_ROWS:,} dòng.".replace(",", "."))
    return rows


# --- validating -----------------------------------------------------------------------------


@dataclass
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


def _clean_value(raw: str) -> str:
    value = raw.strip()
    # Our own export neutralises formulas with a leading apostrophe; undo that on import.
    if value.startswith("'") and value[1:2] in FORMULA_START:
        value = value[1:]
    return value


def _bad_chars(value: str) -> bool:
    return any((ord(c) < 32 and c not in "\t") or 0x7F <= ord(c) < 0xA0 for c in value)


def parse_rows(rows: list[list[str]], result: ImportResult) -> list[ParsedRow]:
    if not rows or not any(c.strip() for c in rows[0]):
        raise ImportFileError("Tệp trống hoặc thiếu dòng tiêu đề.")
    header = [HEADER_LOOKUP.get(fold(c)) for c in rows[0]]
    missing = [LABEL[k] for k in REQUIRED | {"bloc_code", "year"} if k not in header]
    if missing:
        raise ImportFileError(
            "Thiếu cột: "
            + ", ".join(f"«{m}»" for m in sorted(missing))
            + ". Dòng đầu tiên phải là tiêu đề: "
            + ", ".join(label for _, label in COLUMNS)
            + "."
        )
    index = {key: i for i, key in enumerate(header) if key}
    parsed: list[ParsedRow] = []
    for n, raw in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in raw):
            continue
        result.rows += 1
        values = {}
        row_ok = True
        for key, i in index.items():
            value = _clean_value(raw[i]) if i < len(raw) else ""
            if value.startswith(FORMULA_REJECT):
                result.errors.append(
                    RowError(
                        n, LABEL[key], "không được bắt đầu bằng =, + hoặc @ (công thức bảng tính)."
                    )
                )
                row_ok = False
            elif _bad_chars(value):
                result.errors.append(RowError(n, LABEL[key], "chứa ký tự điều khiển không hợp lệ."))
                row_ok = False
            elif len(value) > 255:
                result.errors.append(RowError(n, LABEL[key], "dài quá 255 ký tự."))
                row_ok = False
            values[key] = value
        for key in ("unit_code", "unit_name"):
            if row_ok and not values.get(key):
                result.errors.append(RowError(n, LABEL[key], "không được để trống."))
                row_ok = False
        if values.get("unit_code") and not CODE_RE.match(values["unit_code"]):
            result.errors.append(
                RowError(
                    n,
                    LABEL["unit_code"],
                    "chỉ gồm chữ không dấu, số, gạch ngang hoặc gạch dưới (tối đa 60 ký tự).",
                )
            )
            row_ok = False
        if len(values.get("unit_short_name", "")) > 80:
            result.errors.append(RowError(n, LABEL["unit_short_name"], "dài quá 80 ký tự."))
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
                        "chỉ gồm chữ không dấu, số, gạch ngang hoặc gạch dưới (tối đa 60 ký tự).",
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
                        f"«{year_text[:20]}» không phải là năm hợp lệ (ví dụ 2024)."
                        if year_text
                        else "không được để trống khi có mã khối.",
                    )
                )
                row_ok = False
            if kind is None:
                result.errors.append(RowError(n, LABEL["bloc_kind"], "chỉ nhận «Khối» hoặc «Cụm»."))
                row_ok = False
            if level is None:
                result.errors.append(
                    RowError(n, LABEL["bloc_level"], "chỉ nhận «Tỉnh», «Trung ương» hoặc «Huyện».")
                )
                row_ok = False
            role_key = fold(values.get("role", ""))
            if role_key not in ROLE_VALUES:
                result.errors.append(
                    RowError(
                        n,
                        LABEL["role"],
                        "chỉ nhận «Khối trưởng», «Khối phó» (hoặc «Cụm trưởng», «Cụm phó») hoặc để trống.",
                    )
                )
                row_ok = False
            else:
                role = ROLE_VALUES[role_key]
        else:
            for key in ("bloc_name", "year", "role"):
                if values.get(key):
                    result.errors.append(
                        RowError(n, LABEL[key], "cần có «Mã khối» trên cùng dòng.")
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
                    bloc_kind=kind or Bloc.Kind.KHOI,
                    bloc_level=level or "",
                    year=year,
                    role=role,
                )
            )
    return parsed


def _check_consistency(parsed: list[ParsedRow], result: ImportResult, existing_blocs: dict) -> None:
    unit_first: dict[str, ParsedRow] = {}
    bloc_first: dict[str, ParsedRow] = {}
    seen_member: dict[tuple, int] = {}
    roles: dict[tuple, int] = {}
    for r in parsed:
        first = unit_first.setdefault(r.unit_code, r)
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
                    f"đơn vị «{r.unit_code}» có tên khác với dòng {first.line}.",
                )
            )
        if not r.bloc_code:
            continue
        bfirst = bloc_first.setdefault(r.bloc_code, r)
        if bfirst is not r:
            if r.bloc_name and bfirst.bloc_name and r.bloc_name != bfirst.bloc_name:
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["bloc_name"],
                        f"khối «{r.bloc_code}» có tên khác với dòng {bfirst.line}.",
                    )
                )
            if r.bloc_kind != bfirst.bloc_kind or (
                r.bloc_level and bfirst.bloc_level and r.bloc_level != bfirst.bloc_level
            ):
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["bloc_kind"],
                        f"khối «{r.bloc_code}» có loại/cấp khác với dòng {bfirst.line}.",
                    )
                )
        elif not r.bloc_name and r.bloc_code not in existing_blocs:
            result.errors.append(
                RowError(r.line, LABEL["bloc_name"], f"khối mới «{r.bloc_code}» cần có tên.")
            )
        key = (r.bloc_code, r.year, r.unit_code)
        if key in seen_member:
            result.errors.append(
                RowError(
                    r.line,
                    None,
                    f"đơn vị «{r.unit_code}» đã có trong khối «{r.bloc_code}» năm {r.year} ở dòng {seen_member[key]}.",
                )
            )
        else:
            seen_member[key] = r.line
        if r.role:
            rkey = (r.bloc_code, r.year, r.role)
            if rkey in roles:
                label = "Khối trưởng" if r.role == LeadershipTerm.Role.LEADER else "Khối phó"
                result.errors.append(
                    RowError(
                        r.line,
                        LABEL["role"],
                        f"khối «{r.bloc_code}» năm {r.year} đã có {label} ở dòng {roles[rkey]}.",
                    )
                )
            else:
                roles[rkey] = r.line


# --- writing --------------------------------------------------------------------------------


def import_registry(
    *, organizer: Organizer, filename: str, data: bytes, actor=None, dry_run: bool = False
) -> ImportResult:
    """Validate the whole file, then write it in one transaction. Nothing is saved on any error."""
    result = ImportResult()
    rows = read_table(filename, data)
    parsed = parse_rows(rows, result)
    existing_blocs = {b.code: b for b in Bloc.objects.filter(organizer=organizer)}
    _check_consistency(parsed, result, existing_blocs)
    if result.errors or dry_run:
        result.errors.sort(key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            _apply(organizer, parsed, result, existing_blocs, actor)
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
                "danh mục vừa được người khác thay đổi cùng lúc; chưa lưu gì, vui lòng nhập lại.",
            )
        )
    return result


def _apply(
    organizer: Organizer, parsed: list[ParsedRow], result: ImportResult, blocs: dict, actor
) -> None:
    units = {u.code: u for u in Unit.objects.filter(organizer=organizer)}
    # Units
    new_units, changed_units = {}, []
    for r in parsed:
        unit = units.get(r.unit_code) or new_units.get(r.unit_code)
        if unit is None:
            new_units[r.unit_code] = Unit(
                organizer=organizer,
                code=r.unit_code,
                name=r.unit_name,
                short_name=r.unit_short_name,
            )
        elif unit.pk and (
            unit.name != r.unit_name or (r.unit_short_name and unit.short_name != r.unit_short_name)
        ):
            unit.name = r.unit_name
            unit.short_name = r.unit_short_name or unit.short_name
            if unit not in changed_units:
                changed_units.append(unit)
    if new_units:
        Unit.objects.bulk_create(new_units.values(), batch_size=1000)
        result.created["units"] = len(new_units)
        units.update(
            {u.code: u for u in Unit.objects.filter(organizer=organizer, code__in=list(new_units))}
        )
    if changed_units:
        Unit.objects.bulk_update(changed_units, ["name", "short_name"], batch_size=1000)
        result.updated["units"] = len(changed_units)
    # Blocs
    new_blocs, changed_blocs = {}, []
    for r in parsed:
        if not r.bloc_code:
            continue
        bloc = blocs.get(r.bloc_code) or new_blocs.get(r.bloc_code)
        level = r.bloc_level or organizer.level
        if bloc is None:
            new_blocs[r.bloc_code] = Bloc(
                organizer=organizer,
                code=r.bloc_code,
                name=r.bloc_name,
                kind=r.bloc_kind,
                level=level,
            )
        elif bloc.pk and (
            (r.bloc_name and bloc.name != r.bloc_name)
            or bloc.kind != r.bloc_kind
            or (r.bloc_level and bloc.level != r.bloc_level)
        ):
            bloc.name = r.bloc_name or bloc.name
            bloc.kind = r.bloc_kind
            bloc.level = r.bloc_level or bloc.level
            if bloc not in changed_blocs:
                changed_blocs.append(bloc)
    if new_blocs:
        Bloc.objects.bulk_create(new_blocs.values(), batch_size=1000)
        result.created["blocs"] = len(new_blocs)
        blocs.update(
            {b.code: b for b in Bloc.objects.filter(organizer=organizer, code__in=list(new_blocs))}
        )
    if changed_blocs:
        Bloc.objects.bulk_update(changed_blocs, ["name", "kind", "level"], batch_size=1000)
        result.updated["blocs"] = len(changed_blocs)
    # Years
    bloc_ids = [b.pk for b in blocs.values()]
    years = {(y.bloc_id, y.year): y for y in BlocYear.objects.filter(bloc_id__in=bloc_ids)}
    wanted_years = {(blocs[r.bloc_code].pk, r.year) for r in parsed if r.bloc_code}
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
    new_members = []
    for r in parsed:
        if not r.bloc_code:
            continue
        key = (years[(blocs[r.bloc_code].pk, r.year)].pk, units[r.unit_code].pk)
        if key not in members:
            members.add(key)
            new_members.append(Membership(bloc_year_id=key[0], unit_id=key[1]))
    if new_members:
        Membership.objects.bulk_create(new_members, batch_size=2000)
        result.created["memberships"] = len(new_members)
    # Leader and deputy
    terms = {
        (t.bloc_year_id, t.role): t
        for t in LeadershipTerm.objects.filter(bloc_year_id__in=year_ids)
    }
    user = actor if getattr(actor, "is_authenticated", False) else None
    new_terms, changed_terms = [], []
    for r in parsed:
        if not r.role:
            continue
        year_id = years[(blocs[r.bloc_code].pk, r.year)].pk
        unit_id = units[r.unit_code].pk
        term = terms.get((year_id, r.role))
        if term is None:
            term = LeadershipTerm(
                bloc_year_id=year_id,
                role=r.role,
                unit_id=unit_id,
                method=LeadershipTerm.Method.APPOINTED,
                status=LeadershipTerm.Status.CONFIRMED,
                reason="Nhập từ tệp danh mục",
                decided_by=user,
                decided_at=timezone.now(),
            )
            terms[(year_id, r.role)] = term
            new_terms.append(term)
        elif term.unit_id != unit_id:
            term.unit_id = unit_id
            term.method = LeadershipTerm.Method.APPOINTED
            term.status = LeadershipTerm.Status.CONFIRMED
            term.reason = "Nhập từ tệp danh mục"
            term.decided_by, term.decided_at = user, timezone.now()
            changed_terms.append(term)
    if new_terms:
        LeadershipTerm.objects.bulk_create(new_terms, batch_size=1000)
        result.created["terms"] = len(new_terms)
    if changed_terms:
        LeadershipTerm.objects.bulk_update(
            changed_terms, ["unit", "method", "status", "reason", "decided_by", "decided_at"]
        )
        result.updated["terms"] = len(changed_terms)


# --- exporting ------------------------------------------------------------------------------


def neutralize(value) -> str:
    """Make a cell safe to open in a spreadsheet: no formula can start it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def export_rows(organizer_ids: list[int]):
    """Header plus one row per membership (with its confirmed role), then units without any membership.

    Proposals that are not confirmed yet are not exported: the file holds decided facts only.
    """
    yield [label for _, label in COLUMNS]
    terms = {
        (t.bloc_year_id, t.unit_id): t.role
        for t in LeadershipTerm.objects.filter(
            bloc_year__bloc__organizer_id__in=organizer_ids, status=LeadershipTerm.Status.CONFIRMED
        ).only("bloc_year_id", "unit_id", "role")
    }
    kinds = {Bloc.Kind.KHOI: "Khối", Bloc.Kind.CUM: "Cụm"}
    levels = {Level.PROVINCE: "Tỉnh", Level.CENTRAL: "Trung ương", Level.DISTRICT: "Huyện"}
    seen_units = set()
    memberships = (
        Membership.objects.filter(bloc_year__bloc__organizer_id__in=organizer_ids)
        .select_related("bloc_year__bloc", "unit")
        .order_by("bloc_year__bloc__code", "bloc_year__year", "unit__code")
    )
    for m in memberships.iterator(chunk_size=2000):
        bloc = m.bloc_year.bloc
        role = terms.get((m.bloc_year_id, m.unit_id))
        role_label = ""
        if role == LeadershipTerm.Role.LEADER:
            role_label = "Cụm trưởng" if bloc.kind == Bloc.Kind.CUM else "Khối trưởng"
        elif role == LeadershipTerm.Role.DEPUTY:
            role_label = "Cụm phó" if bloc.kind == Bloc.Kind.CUM else "Khối phó"
        seen_units.add(m.unit_id)
        yield [
            bloc.code,
            bloc.name,
            kinds[bloc.kind],
            levels.get(bloc.level, ""),
            m.bloc_year.year,
            m.unit.code,
            m.unit.name,
            m.unit.short_name,
            role_label,
        ]
    for u in (
        Unit.objects.filter(organizer_id__in=organizer_ids)
        .exclude(pk__in=seen_units)
        .order_by("code")
    ):
        yield ["", "", "", "", "", u.code, u.name, u.short_name, ""]


def export_csv(organizer_ids: list[int]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in export_rows(organizer_ids):
        writer.writerow([neutralize(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_xlsx(organizer_ids: list[int]) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh muc")
    for row in export_rows(organizer_ids):
        cells = []
        for v in row:
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                cell.value = v
                cell.data_type = "s"  # never a formula, even if it starts with "="
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
