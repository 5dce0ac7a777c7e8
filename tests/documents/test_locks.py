"""Finalizing a document numbers it one writer at a time per bloc-year, with a NO KEY lock on the
year's row (PostgreSQL, issue 14): rows that only refer to the year (a new meeting, a new award)
are not held up while the PDF renders; a second finalize in the same year still waits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from awards.catalog import ensure_catalog
from awards.models import AwardTitle
from blocs.models import BlocYear
from documents import services
from meetings.models import Meeting
from tests.locking import in_other_connection

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_finalizing_does_not_hold_up_rows_that_refer_to_the_year(world, meeting):
    ensure_catalog()
    title = AwardTitle.objects.get(code="co-thi-dua-ubnd-tinh")
    by = world.bloc_year

    def new_meeting():
        Meeting.objects.create(
            bloc_year_id=by.pk,
            kind="other",
            title="Họp giao ban",
            starts_at=timezone.make_aware(dt.datetime(2024, 12, 20, 8, 0)),
        )

    def new_award():
        from awards.services import award_create

        award_create(bloc_year=by, award_title=title, unit=world.units[2])

    with transaction.atomic():
        version = services.document_finalize(kind="minutes", subject=meeting, actor=world.office)
        meeting_insert = in_other_connection(new_meeting)
        award_insert = in_other_connection(new_award)
        year_for_update = in_other_connection(
            lambda: BlocYear.objects.select_for_update().get(pk=by.pk)
        )
    assert (meeting_insert, award_insert) == ("ok", "ok")
    assert year_for_update == "waited"  # numbering still serialises: the year's row is locked
    assert version.number == 1
    assert Meeting.objects.filter(bloc_year=by, title="Họp giao ban").exists()
