"""Accounts from the registry file: four extra columns next to «Mã khối» and «Mã đơn vị».

| column            | meaning                                                     |
|-------------------|-------------------------------------------------------------|
| Họ tên đại biểu   | the delegate of the row's unit (with «Email đại biểu»)      |
| Email đại biểu    | their email: the account is matched (or created) by it      |
| Họ tên thư ký     | the secretary of the row's bloc (with «Email thư ký»)       |
| Email thư ký      | their email                                                 |

The registry import (blocs.registry) ignores these columns, so one file serves both: import the
registry first, then the accounts (this module only matches existing units and blocs by code).
Like the registry import, it is all-or-nothing, names each error's row and column, and importing
the same file again changes nothing. New accounts get an invitation email.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from blocs.models import Bloc, Organizer, RoleAssignment, Unit
from blocs.registry import RowError, fold
from khoithidua.lib.formulas import FORMULA_REJECT

from . import services

User = get_user_model()

COLUMNS = [
    ("bloc_code", "Mã khối"),
    ("unit_code", "Mã đơn vị"),
    ("delegate_name", "Họ tên đại biểu"),
    ("delegate_email", "Email đại biểu"),
    ("secretary_name", "Họ tên thư ký"),
    ("secretary_email", "Email thư ký"),
]
LABEL = dict(COLUMNS)
ACCOUNT_KEYS = ("delegate_name", "delegate_email", "secretary_name", "secretary_email")
HEADER_LOOKUP = {fold(label): key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}


@dataclass
class Wanted:
    """One account the file asks for: email, name, and the roles it should hold."""

    email: str
    name: str
    line: int
    column: str
    roles: set[tuple[str, int]] = field(default_factory=set)


@dataclass
class AccountImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    roles_added: int = 0
    invited: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return len(self.created) + self.roles_added


class AccountImportError(Exception):
    """The file as a whole cannot be used (no header, no account columns)."""


def _index(header: list[str]) -> dict[str, int]:
    keys = [HEADER_LOOKUP.get(fold(c)) for c in header]
    return {k: i for i, k in enumerate(keys) if k}


def import_accounts(*, organizer: Organizer, rows: list[list[str]], actor, base_url: str = ""):
    """Validate every row, then create accounts and roles in one transaction."""
    result = AccountImportResult()
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise AccountImportError(_("Tệp trống hoặc thiếu dòng tiêu đề."))
    index = _index(rows[0])
    if not any(k in index for k in ACCOUNT_KEYS):
        raise AccountImportError(
            _(
                "Tệp không có cột tài khoản nào. Thêm các cột «Họ tên đại biểu», «Email đại biểu» "
                "(cùng dòng với «Mã đơn vị») và/hoặc «Họ tên thư ký», «Email thư ký» (cùng dòng "
                "với «Mã khối»)."
            )
        )
    units = {u.code: u for u in Unit.objects.filter(organizer=organizer)}
    blocs = {b.code: b for b in Bloc.objects.filter(organizer=organizer)}
    wanted: dict[str, Wanted] = {}

    def want(n, email_key, name_key, role, scope_id, values):
        email, name = values.get(email_key, ""), " ".join(values.get(name_key, "").split())
        if not email and not name:
            return
        if not email:
            result.errors.append(RowError(n, LABEL[email_key], _("thiếu email (có họ tên).")))
            return
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(
                RowError(
                    n,
                    LABEL[email_key],
                    _("«%(v)s» không phải là địa chỉ email hợp lệ (ví dụ nvan@toaan.gov.vn).")
                    % {"v": email[:60]},
                )
            )
            return
        if not name:
            result.errors.append(RowError(n, LABEL[name_key], _("thiếu họ tên (có email).")))
            return
        key = email.lower()
        entry = wanted.get(key)
        if entry is None:
            entry = wanted[key] = Wanted(email=key, name=name, line=n, column=LABEL[name_key])
        elif entry.name != name:
            result.errors.append(
                RowError(
                    n,
                    LABEL[name_key],
                    _("email %(e)s đã ghi với họ tên «%(a)s» ở dòng %(row)s, ở đây là «%(b)s».")
                    % {"e": key, "a": entry.name, "row": entry.line, "b": name},
                )
            )
            return
        entry.roles.add((role, scope_id))

    for n, raw in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in raw):
            continue
        result.rows += 1
        values = {}
        bad = False
        for key, i in index.items():
            value = str(raw[i]).strip() if i < len(raw) else ""
            if value.startswith(FORMULA_REJECT):
                result.errors.append(
                    RowError(n, LABEL[key], _("không được bắt đầu bằng =, + hoặc @."))
                )
                bad = True
            elif len(value) > 254:
                result.errors.append(RowError(n, LABEL[key], _("dài quá 254 ký tự.")))
                bad = True
            values[key] = value
        if bad:
            continue
        if values.get("delegate_email") or values.get("delegate_name"):
            unit = units.get(values.get("unit_code", ""))
            if unit is None:
                result.errors.append(
                    RowError(
                        n,
                        LABEL["unit_code"],
                        _("không có đơn vị mã «%(c)s»; hãy nhập danh mục trước.")
                        % {"c": values.get("unit_code", "")[:60]},
                    )
                )
            else:
                want(
                    n,
                    "delegate_email",
                    "delegate_name",
                    RoleAssignment.Role.DELEGATE,
                    unit.pk,
                    values,
                )
        if values.get("secretary_email") or values.get("secretary_name"):
            bloc = blocs.get(values.get("bloc_code", ""))
            if bloc is None:
                result.errors.append(
                    RowError(
                        n,
                        LABEL["bloc_code"],
                        _("không có khối mã «%(c)s»; hãy nhập danh mục trước.")
                        % {"c": values.get("bloc_code", "")[:60]},
                    )
                )
            else:
                want(
                    n,
                    "secretary_email",
                    "secretary_name",
                    RoleAssignment.Role.SECRETARY,
                    bloc.pk,
                    values,
                )

    existing = {
        u.e: u
        for u in User.objects.annotate(e=Lower("email"))
        .filter(e__in=list(wanted))
        .prefetch_related("role_assignments")
    }
    for key, entry in wanted.items():
        user = existing.get(key)
        if user is None:
            continue
        if user.is_superuser or any(
            a.role == RoleAssignment.Role.OFFICE for a in user.role_assignments.all()
        ):
            result.errors.append(
                RowError(
                    entry.line,
                    entry.column,
                    _(
                        "email %(e)s là của tài khoản cán bộ/quản trị; không dùng làm đại biểu hay thư ký."
                    )
                    % {"e": key},
                )
            )
    if result.errors:
        return result
    unit_by_pk = {u.pk: u for u in units.values()}
    bloc_by_pk = {b.pk: b for b in blocs.values()}
    with transaction.atomic():
        for key, entry in wanted.items():
            user = existing.get(key)
            have = set()
            if user is not None:
                have = {
                    (a.role, a.unit_id if a.role == RoleAssignment.Role.DELEGATE else a.bloc_id)
                    for a in user.role_assignments.all()
                }
            for role, scope_id in sorted(entry.roles - have):
                if role == RoleAssignment.Role.DELEGATE:
                    scope = {"unit": unit_by_pk[scope_id]}
                else:
                    scope = {"bloc": bloc_by_pk[scope_id]}
                if user is None:
                    user = services.account_create(
                        actor=actor,
                        full_name=entry.name,
                        email=entry.email,
                        role=role,
                        invite=True,
                        base_url=base_url,
                        **scope,
                    )
                    result.created.append(user.username)
                    result.invited += 1
                else:
                    services.account_role_grant(actor=actor, user=user, role=role, **scope)
                    result.roles_added += 1
    return result
