"""Shared fixtures: one world with two provinces and every role."""

import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings

from blocs.models import BlocYear, LeadershipTerm, Unit

from .factories import OrganizerFactory, UserFactory, grant, make_bloc_year

# The longest test files (seconds each on the CI machine: `pytest --durations`), collected
# first: `make test` hands whole files to its 2 workers in collection order, and in
# alphabetical order the last 8 % of the tests took 4–5 of the suite's 16 minutes here (long
# files reached late leave one worker alone at the end).
LONG_FILES = (
    "tests/deploy/test_two_servers.py",
    "tests/e2e/test_accessibility.py",
    "tests/perf/test_query_growth.py",
    "tests/meetings/test_browser.py",
    "tests/deploy/test_start_path.py",
    "tests/security/test_get_fuzz.py",
    "tests/feedback/test_no_dead_links.py",
    "tests/faults/test_login_lockout_across_workers.py",
    "tests/faults/test_database_restart.py",
    "tests/faults/test_ballot_codes_not_logged.py",
    "tests/deploy/test_slow_clients.py",
    "tests/e2e/test_meeting_flow.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(LONG_FILES)}
    # Stable: the tests of a file keep their order, and the other files theirs.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
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


@pytest.fixture
def world(db) -> World:
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
