"""A delegate of one unit finds it chosen already in the forms they fill for their unit (the
covenant signature, the registration); a delegate of two units still chooses."""

import re

from django.urls import reverse

from awards import services
from blocs.models import RoleAssignment


def _unit_select(page: str) -> str:
    return re.search(r'<select name="unit"[^>]*>.*?</select>', page, re.S).group(0)


def test_the_signature_form_has_the_delegates_one_unit_chosen_and_no_blank(client, world):
    services.covenant_create(bloc_year=world.bloc_year, title="Giao ước 2024")
    client.force_login(world.delegate)
    page = client.get(reverse("awards:covenant", args=[world.bloc_year.pk])).text
    select = _unit_select(page)
    assert re.findall(r"<option[^>]*>", select) == [
        f'<option value="{world.units[1].pk}" selected>'
    ]


def test_the_registration_form_has_the_delegates_one_unit_chosen_and_no_blank(client, world):
    client.force_login(world.delegate)
    page = client.get(reverse("awards:registrations", args=[world.bloc_year.pk])).text
    select = _unit_select(page)
    assert re.findall(r"<option[^>]*>", select) == [
        f'<option value="{world.units[1].pk}" selected>'
    ]


def test_a_delegate_of_two_units_still_chooses_between_them(client, world):
    RoleAssignment.objects.create(user=world.delegate, role="delegate", unit=world.units[2])
    services.covenant_create(bloc_year=world.bloc_year, title="Giao ước 2024")
    client.force_login(world.delegate)
    page = client.get(reverse("awards:covenant", args=[world.bloc_year.pk])).text
    options = re.findall(r"<option[^>]*>", _unit_select(page))
    assert len(options) == 3  # the blank choice and both units, none chosen for them
    assert [o for o in options if "selected" in o] == ['<option value="" selected>']
