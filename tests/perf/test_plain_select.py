"""PlainSelect writes the same <select> as Django's template-rendered Select, only faster."""

import re

import pytest
from django import forms

from blocs.forms import MembershipAddForm
from blocs.models import Unit
from khoithidua.lib.widgets import PlainSelect

CHOICES = [
    ("", "---------"),
    (1, "Sở Tư pháp"),
    (2, 'Công an tỉnh <b>"&"</b>'),
    ("Nhóm", [(3, "Thanh tra tỉnh"), (4, "Tòa án")]),
]


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", 2, "3"])
def test_same_html_as_django_select(value):
    attrs = {"id": "id_unit", "required": True, "disabled": False, "aria-describedby": "x y"}
    ours = PlainSelect(choices=CHOICES).render("unit", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("unit", value, attrs=attrs)
    assert _normal(ours) == _normal(django)
    assert "&lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;" in ours  # escaped, never raw markup
    assert ours.count("\n") >= 6  # one element per line


def test_membership_form_lists_only_the_organizers_active_non_members_and_validates(world):
    by = world.bloc_year
    outsider = Unit.objects.create(organizer=world.other_organizer, code="x", name="Ngoài tỉnh")
    free = Unit.objects.create(organizer=world.organizer, code="free", name="Sở Xây dựng")
    html = str(MembershipAddForm(bloc_year=by)["unit"])
    assert f'<option value="{free.pk}">Sở Xây dựng</option>' in html
    assert f'value="{outsider.pk}"' not in html
    assert f'value="{world.units[0].pk}"' not in html  # already a member
    form = MembershipAddForm({"unit": free.pk}, bloc_year=by)
    assert form.is_valid() and form.cleaned_data["unit"] == free
    for bad in (world.units[0].pk, outsider.pk, "abc"):
        form = MembershipAddForm({"unit": bad}, bloc_year=by)
        assert not form.is_valid()
        assert "Hãy chọn một lựa chọn hợp lệ" in str(form.errors["unit"])
