"""Exports neutralise formula injection: a cell never starts a formula in a spreadsheet."""

import csv
import io

import openpyxl
import pytest

from blocs.models import Bloc, Unit
from blocs.registry import export_csv, export_xlsx, import_registry

DANGEROUS = ["=CMD()", "+SUM(1,2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil","x")']


@pytest.fixture
def poisoned(world):
    """Names that slipped in through the admin or an old import."""
    units = []
    for i, name in enumerate(DANGEROUS):
        units.append(
            Unit.objects.create(
                organizer=world.organizer, code=f"doc-{i}", name=name, short_name=name
            )
        )
    Bloc.objects.filter(pk=world.bloc.pk).update(name="=1+1")
    return units


def test_csv_export_prefixes_every_formula_like_cell_with_an_apostrophe(world, poisoned):
    text = export_csv([world.organizer.pk]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for r in rows for c in r]
    for name in DANGEROUS:
        assert "'" + name in cells
        assert name not in cells
    assert "'=1+1" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_xlsx_export_writes_formula_like_cells_as_plain_text(world, poisoned):
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx([world.organizer.pk])))
    ws = wb.worksheets[0]
    found = set()
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value in DANGEROUS + ["=1+1"]:
                found.add(cell.value)
    assert found == set(DANGEROUS) | {"=1+1"}


def test_a_neutralised_csv_export_imports_back_without_changes(world):
    data = export_csv([world.organizer.pk])
    result = import_registry(
        organizer=world.organizer, filename="lai.csv", data=data, actor=world.office
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.changes == 0


def test_poll_result_exports_neutralise_formula_like_unit_names(client, world):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from meetings import services
    from meetings.models import Attendance, Poll

    Unit.objects.filter(pk=world.units[1].pk).update(name="=CMD()")
    Unit.objects.filter(pk=world.units[2].pk).update(name="@SUM(A1)")
    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="+Tổng kết",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8, 0)),
    )
    meeting.attendances.update(status=Attendance.Status.PRESENT)
    poll = services.poll_open(
        poll=services.poll_create(
            meeting=meeting, kind=Poll.Kind.LEADER, title="=Bầu", candidates=world.units[1:3]
        )
    )
    for voter in poll.voters.all()[:3]:
        services.ballot_cast(voter=voter, marks=[poll.candidates.first().pk])
    services.poll_close(poll=poll, confirm_low_turnout=True)
    client.force_login(world.office)
    text = client.get(reverse("meetings:poll_export_csv", args=[poll.pk])).content.decode(
        "utf-8-sig"
    )
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=CMD()" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells), [
        c for c in cells if c[:1] in "=+@"
    ]
    data = client.get(reverse("meetings:poll_export_xlsx", args=[poll.pk])).content
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row in wb.worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
