"""Every demo unit that still exists has a delegate login with an email (demo/accounts.json)."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from blocs.models import RoleAssignment, Unit


def test_every_demo_unit_has_a_delegate_login_with_email_and_reloading_doubles_nothing(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    active = Unit.objects.filter(merged_into__isnull=True)
    with_delegate = set(
        RoleAssignment.objects.filter(role="delegate").values_list("unit_id", flat=True)
    )
    assert active.count() >= 30
    assert set(active.values_list("pk", flat=True)) <= with_delegate
    user = get_user_model().objects.get(username="daibieu.congan.tayninh")
    assert user.email == "daibieu.congan.tayninh@khoithidua.example"
    assert user.check_password("khoithidua-demo")
    assert "daibieu.<mã đơn vị>.<tỉnh>" in out.getvalue()
    count = get_user_model().objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert get_user_model().objects.count() == count
