"""Demo accounts (demo/accounts.json): a delegate login for every demo unit. Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from blocs.demo import DEMO_PASSWORD, read
from blocs.models import RoleAssignment


@transaction.atomic
def load(context: dict) -> None:
    User = get_user_model()
    units = context["units"]
    for d in read("accounts.json")["delegates"]:
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
