"""Demo accounts (demo/accounts.json): a delegate login for every demo unit. Idempotent.

Units the file does not list (another app's demo may add some) get one by the same pattern,
daibieu.<unit code without dashes>.<organizer code without dashes>.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from blocs.demo import DEMO_PASSWORD, read
from blocs.models import RoleAssignment, Unit


@transaction.atomic
def load(context: dict) -> None:
    User = get_user_model()
    units = context["units"]
    listed = read("accounts.json")["delegates"]
    keys = {tuple(d["unit"]) for d in listed}
    for unit in Unit.objects.filter(
        merged_into__isnull=True, archived_at__isnull=True
    ).select_related("organizer"):
        key = (unit.organizer.code, unit.code)
        if key in keys or key not in units:
            continue
        username = f"daibieu.{unit.code.replace('-', '')}.{unit.organizer.code.replace('-', '')}"
        listed.append(
            {
                "username": username,
                "full_name": f"Đại biểu {unit.name}",
                "email": f"{username}@khoithidua.example",
                "unit": list(key),
            }
        )
    for d in listed:
        user, created = User.objects.get_or_create(
            username=d["username"], defaults={"first_name": d["full_name"], "email": d["email"]}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        elif not user.email:
            user.email = d["email"]
            user.save(update_fields=["email"])
        RoleAssignment.objects.get_or_create(
            user=user, role=RoleAssignment.Role.DELEGATE, unit=units[tuple(d["unit"])]
        )
    logins = context.setdefault("logins", [])
    pattern = "daibieu.<mã đơn vị>.<tỉnh>"
    if not any(name == pattern for name, _ in logins):
        logins.append((pattern, "đại biểu của mỗi đơn vị, ví dụ daibieu.congan.tayninh"))
