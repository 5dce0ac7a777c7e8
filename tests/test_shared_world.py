"""`shared_world` (tests/conftest.py): the world is built once per module, yet each test starts
from the same database state and with its own Python objects. Each turn below first checks that
it sees the world untouched, then changes it in the database and in Python; whichever turn runs
second fails if the first one's changes leaked."""

import pytest

from blocs.models import Bloc, Membership, RoleAssignment, Unit

from .factories import UserFactory, grant


@pytest.fixture
def world(shared_world):
    return shared_world


@pytest.fixture(scope="module")
def module_data(module_world, module_db):
    """A module-scoped object of the file's own, made from the world (as the matrices do)."""
    with module_db():
        return {"unit": module_world.units[2], "bloc": module_world.bloc}


@pytest.mark.parametrize("turn", [1, 2])
def test_a_change_made_by_one_test_is_not_seen_by_the_next(world, module_world, turn):
    # the database as the world left it
    assert Bloc.objects.get(pk=world.bloc.pk).name == world.bloc.name != "Đổi tên"
    assert Unit.objects.filter(name__startswith="Đổi tên").count() == 0
    assert Membership.objects.filter(bloc_year=world.bloc_year).count() == 8
    assert not RoleAssignment.objects.filter(user=world.delegate, role="office").exists()
    assert not type(world.office).objects.filter(username="them-vao").exists()
    # the Python objects as built, and not the module's own
    assert world is not module_world and world.units[0] is not module_world.units[0]
    assert world.bloc.name != "Đổi tên" and world.units[0].name != "Đổi tên"
    assert world.delegate.first_name != "Đổi tên"
    assert not hasattr(world.office, "_leaked")
    assert world.bloc is world.bloc_year.bloc  # the copy keeps the world's own links

    # now change everything, in the database and in memory
    Bloc.objects.filter(pk=world.bloc.pk).update(name="Đổi tên")
    world.bloc.refresh_from_db()
    world.units[0].name = "Đổi tên"
    world.units[0].save()
    world.delegate.first_name = "Đổi tên"
    world.office._leaked = turn
    Membership.objects.filter(bloc_year=world.bloc_year).first().delete()
    grant(world.delegate, "office", world.organizer)
    UserFactory(username="them-vao")
    assert world.bloc.name == "Đổi tên"
    assert Membership.objects.filter(bloc_year=world.bloc_year).count() == 7


@pytest.mark.parametrize("turn", [1, 2])
def test_module_objects_of_a_file_are_fresh_and_consistent_with_the_world(shared, turn):
    world, extra = shared
    assert extra["unit"] is world.units[2] and extra["bloc"] is world.bloc
    assert extra["unit"].name != "Đổi tên"
    extra["unit"].name = "Đổi tên"
    extra["unit"].save()
    assert world.units[2].name == "Đổi tên"
