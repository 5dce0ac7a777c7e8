"""Two office staff import the same file at the same moment: no duplicates, no 500."""

import threading

import pytest
from django.db import connection

from blocs.models import Bloc, BlocYear, Membership, Unit
from blocs.registry import import_registry

from ..factories import OrganizerFactory
from .test_import_export import GOOD, rows_to_csv


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_file_create_each_row_once():
    organizer = OrganizerFactory()
    data = rows_to_csv(GOOD)
    barrier = threading.Barrier(4)
    results, failures = [], []

    def run():
        try:
            barrier.wait()
            results.append(import_registry(organizer=organizer, filename="a.csv", data=data))
        except Exception as exc:  # noqa: BLE001 - the test reports any crash
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Unit.objects.filter(organizer=organizer).count() == 4
    assert Bloc.objects.filter(organizer=organizer).count() == 1
    assert BlocYear.objects.filter(bloc__organizer=organizer).count() == 2
    assert Membership.objects.filter(bloc_year__bloc__organizer=organizer).count() == 4
    # Every import either applied the file, found nothing to change, or refused cleanly.
    for r in results:
        assert r.ok or "người khác thay đổi cùng lúc" in str(r.errors[0])
    assert any(r.ok and r.changes for r in results)
