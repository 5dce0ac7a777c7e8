"""Shared fixtures: one world with two provinces and every role."""

import copy
import json
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from blocs.models import BlocYear, LeadershipTerm, Unit

from .factories import OrganizerFactory, UserFactory, grant, make_bloc_year

DURATIONS = Path(__file__).with_name("durations.json")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests without Chromium and PostgreSQL tests on SQLite are skipped, with the reason.

    The longest test files first (longest-processing-time scheduling): `make test` hands
    whole files to its workers (`--dist loadfile --no-loadscope-reorder`) in this order, so a
    60-second file (real servers, nginx timeouts, a browser) no longer starts last while the
    other worker has nothing left to do. Seconds per file come from tests/durations.json
    (`scripts/test_durations.py` writes it from a run's JUnit XML); a file not in it counts as
    the median. The order inside a file is kept (pytest-django's: transactional tests last)."""
    chromium = shutil.which("chromium")
    is_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "browser" in item.keywords and not chromium:
            item.add_marker(
                pytest.mark.skip(reason="Chromium không có trên máy (apt-get install chromium)")
            )
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(
                pytest.mark.skip(
                    reason="cần PostgreSQL (needs PostgreSQL semantics); CI chạy trên PostgreSQL"
                )
            )
    try:
        seconds = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    default = statistics.median(seconds.values()) if seconds else 0.0
    files = [item.nodeid.split("::", 1)[0] for item in items]
    first = {}
    for i, path in enumerate(files):
        first.setdefault(path, i)
    order = sorted(
        range(len(items)), key=lambda i: (-seconds.get(files[i], default), first[files[i]], i)
    )
    items[:] = [items[i] for i in order]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Vietnamese). A request through the test client
    runs CookieLocaleMiddleware in the test's own thread, and an English cookie leaves English
    active for the next test of that worker (as in production, where the next request activates
    its own). Seen: tests/accounts/test_login_notice.py then tests/awards/test_scoring_modes.py
    in one worker gave «You may not score at this stage.» instead of the Vietnamese message."""
    translation.activate(settings.LANGUAGE_CODE)
    yield


@dataclass
class World:
    organizer: object
    other_organizer: object
    bloc_year: BlocYear
    other_bloc_year: BlocYear
    units: list[Unit]
    superuser: object
    office: object
    other_office: object
    secretary: object
    delegate: object
    outsider: object
    nobody: object

    @property
    def bloc(self):
        return self.bloc_year.bloc

    def users(self) -> dict:
        return {
            "superuser": self.superuser,
            "office": self.office,
            "other_office": self.other_office,
            "secretary": self.secretary,
            "delegate": self.delegate,
            "outsider": self.outsider,
            "nobody": self.nobody,
        }


def build_world() -> World:
    """Two provinces, an 8-unit bloc-year with a leader, a 4-unit one, and a user per role."""
    organizer = OrganizerFactory(code="bac-ninh", name="UBND tỉnh Bắc Ninh", place_name="Bắc Ninh")
    other = OrganizerFactory(code="tay-ninh", name="UBND tỉnh Tây Ninh", place_name="Tây Ninh")
    bloc_year = make_bloc_year(8, year=2024, organizer=organizer)
    other_bloc_year = make_bloc_year(4, year=2024, organizer=other)
    units = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("unit__id")]
    LeadershipTerm.objects.create(
        bloc_year=bloc_year, role="leader", unit=units[0], method="appointed", status="confirmed"
    )
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    office = UserFactory(username="canbo")
    grant(office, "office", organizer)
    other_office = UserFactory(username="canbo-khac")
    grant(other_office, "office", other)
    secretary = UserFactory(username="thuky")
    grant(secretary, "secretary", bloc_year.bloc)
    delegate = UserFactory(username="daibieu")
    grant(delegate, "delegate", units[1])
    outsider = UserFactory(username="daibieu-khac")
    grant(outsider, "delegate", other_bloc_year.memberships.first().unit)
    nobody = UserFactory(username="chua-phan-quyen")
    return World(
        organizer,
        other,
        bloc_year,
        other_bloc_year,
        units,
        superuser,
        office,
        other_office,
        secretary,
        delegate,
        outsider,
        nobody,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


# Role × view matrices (tests/*/test_permissions.py) run hundreds of short requests against the
# same world; building it for each one was most of their time. `shared_world` (the world) and
# `shared` (the world with the file's own `module_data`) build it once per module inside an outer
# transaction (`module_db`); pytest-django's `db` then opens each test's transaction as a
# savepoint within it and rolls back to it after the test, so every test starts
# from the same database state, and each test gets its own deep copies of the Python objects (as
# Django's TestCase.setUpTestData does). Ids are not reset between tests; nothing may assume them.
# Not for transactional tests (`transactional_db`, `live_server`): they flush the tables and
# would see, or destroy, the module's uncommitted rows (module_db refuses such a module).
# tests/test_shared_world.py shows that no change made by one test reaches the next.


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & fixtures
        or (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    )


@pytest.fixture(scope="module")
def module_db(request, django_db_setup, django_db_blocker):
    """An outer transaction around the whole module, rolled back after its last test. Yields a
    context manager under which module-scoped fixtures may use the database."""
    transactional = [
        item.nodeid
        for item in request.session.items
        if item.nodeid.startswith(f"{request.node.nodeid}::") and _is_transactional(item)
    ]
    assert not transactional, f"transactional tests cannot share a module's data: {transactional}"
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        # Like TestCase's own atomics: a durable atomic block inside it is allowed.
        transaction.get_connection().atomic_blocks[-1]._from_testcase = True
    yield django_db_blocker.unblock
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_world(module_db) -> World:
    """The world, built once for the module (tests use `shared_world` or `shared`)."""
    with module_db():
        return build_world()


@pytest.fixture
def shared_world(module_world, db) -> World:
    """The module's world, as fresh Python objects for this test."""
    return copy.deepcopy(module_world)


@pytest.fixture(scope="module")
def module_data():
    """A file's own module-scoped data built on its world (override it in the file, building
    under `module_db()`); `shared` hands each test copies of it with the world."""
    return None


@pytest.fixture
def shared(module_world, module_data, db) -> tuple[World, object]:
    """(world, data): fresh copies, for this test, of the module's world and of the file's
    `module_data`, copied together, so that a unit of the data is still the world's unit."""
    return copy.deepcopy((module_world, module_data))
