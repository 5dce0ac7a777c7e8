"""Deadlines (with late units, on the dashboard), reports and XLSX exports, the unit page."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services
from awards.models import Deadline
from awards.reports import deadline_summaries, deadlines_for
from blocs.services import unit_merge, unit_rename
from tests.factories import make_bloc_year

from .conftest import make_scheme, self_assess

TODAY = dt.date(2024, 11, 25)


def test_deadlines_show_days_left_and_the_units_still_pending(world, co):
    by = world.bloc_year
    services.deadline_set(
        bloc_year=by, kind=Deadline.Kind.REGISTRATION, due_on=dt.date(2024, 3, 31)
    )
    services.deadline_set(
        bloc_year=by, kind=Deadline.Kind.SELF_SCORING, due_on=dt.date(2024, 11, 30)
    )
    for unit in world.units[:5]:
        services.registration_save(bloc_year=by, unit=unit, titles=[co], commitments="")
    scheme = make_scheme(by, open_=True)
    self_assess(scheme.sheets.get(unit=world.units[0]))
    items = {d.kind: d for d in deadlines_for(by, today=TODAY)}
    reg, scoring, proposal = items["registration"], items["self_scoring"], items["proposal"]
    assert (reg.days_left, reg.late_count, reg.overdue) == (-239, 3, True)
    assert {u.pk for u in reg.pending_units} == {u.pk for u in world.units[5:]}
    assert (scoring.days_left, scoring.pending_count, scoring.late_count) == (5, 7, 0)
    # The proposal deadline defaults to the organizer's day and month (10/12 unless configured).
    assert (
        proposal.is_default
        and proposal.due_on == dt.date(2024, 12, 10)
        and proposal.days_left == 15
    )


def test_the_organizers_proposal_deadline_is_the_default(world):
    world.organizer.proposal_deadline_day, world.organizer.proposal_deadline_month = 31, 11
    world.organizer.save()
    world.bloc_year.bloc.organizer = world.organizer
    proposal = next(d for d in deadlines_for(world.bloc_year, today=TODAY) if d.kind == "proposal")
    assert proposal.due_on == dt.date(2024, 11, 30)  # 31/11 does not exist: the month's last day


def test_dashboard_summaries_take_one_query_for_any_number_of_blocs(
    world, django_assert_num_queries
):
    years = [make_bloc_year(3, year=2024, organizer=world.organizer) for _ in range(6)]
    for by in years:
        services.deadline_set(
            bloc_year=by, kind=Deadline.Kind.REGISTRATION, due_on=dt.date(2024, 12, 1)
        )
    services.registration_save(
        bloc_year=years[0], unit=years[0].memberships.first().unit, titles=[], commitments="Cam kết"
    )
    pairs = [(by, world.organizer) for by in years]
    with django_assert_num_queries(1):
        summary = deadline_summaries(pairs, today=TODAY)
    assert summary[years[0].pk].pending_count == 2 and summary[years[1].pk].pending_count == 3
    assert summary[years[1].pk].days_left == 6


def test_the_dashboard_shows_each_years_next_deadline(client, world):
    by = world.bloc_year
    this_year = dt.date.today().year
    by.year = this_year
    by.save()
    services.deadline_set(
        bloc_year=by,
        kind=Deadline.Kind.SELF_SCORING,
        due_on=dt.date.today() + dt.timedelta(days=9),
        label="Nộp bảng tự chấm",
    )
    client.force_login(world.office)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Nộp bảng tự chấm" in page and "Còn 9 ngày" in page


def test_the_dashboard_adds_at_most_one_query(client, world):
    """Deadlines cost the dashboard one query, whether there are 0 or 30 of them."""
    client.force_login(world.office)
    with CaptureQueriesContext(connection) as without:
        assert client.get(reverse("dashboard")).status_code == 200
    for _ in range(30):
        by = make_bloc_year(2, year=dt.date.today().year, organizer=world.organizer)
        services.deadline_set(bloc_year=by, kind=Deadline.Kind.REGISTRATION, due_on=dt.date.today())
    with CaptureQueriesContext(connection) as with_deadlines:
        page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert sum(1 for row in page.context["rows"] if row["deadline"]) >= 20
    assert len(with_deadlines) <= len(without) + 1


# --- reports ----------------------------------------------------------------------------------


def test_the_province_report_filters_by_year_title_and_name_and_hides_other_provinces(
    client, world, co, bang_khen
):
    services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    services.award_create(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        unit=world.units[1],
        person_name="Lê Thị Mai",
    )
    other = world.other_bloc_year
    services.award_create(bloc_year=other, award_title=co, unit=other.memberships.first().unit)
    client.force_login(world.office)
    url = reverse("awards:award_report")
    page = client.get(url).content.decode()
    assert "2 khen thưởng" in page and other.memberships.first().unit.name not in page
    page = client.get(url, {"title": bang_khen.pk, "year": 2024}).content.decode()
    assert "1 khen thưởng" in page and "Lê Thị Mai" in page
    response = client.get(url, {"q": "mai"}, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<section id="results"')
    assert "Lê Thị Mai" in response.content.decode()


def test_the_xlsx_export_neutralises_formulas(client, world, bang_khen):
    services.award_create(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        unit=world.units[0],
        person_name="Nguyễn Văn A",
        source_label="-2+3",
    )
    from awards.models import Award

    Award.objects.update(person_position='=HYPERLINK("http://x")')
    client.force_login(world.office)
    response = client.get(reverse("awards:award_report_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Năm" and rows[1][0] == 2024
    assert rows[1][7] == '\'=HYPERLINK("http://x")' and rows[1][9] == "'-2+3"
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_results_export_has_the_ranking_and_the_awards(client, world, co):
    scheme = make_scheme(world.bloc_year, open_=True)
    for sheet in scheme.sheets.all():
        self_assess(sheet)
    services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    client.force_login(world.secretary)
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("awards:results_export", args=[world.bloc_year.pk])).content)
    )
    assert wb.sheetnames == ["Xep hang", "Khen thuong"]
    ranking = list(wb["Xep hang"].iter_rows(values_only=True))
    assert ranking[0][:3] == ("Hạng", "Đồng hạng", "Đơn vị") and len(ranking) == 9
    assert ranking[1][0] == 1 and ranking[1][1] == "x"  # all equal: everyone shares rank 1


def test_the_unit_page_lists_awards_across_renames_and_mergers(
    client, world, co, bang_khen, django_assert_max_num_queries
):
    keeper, merged = world.units[0], world.units[1]
    services.award_create(bloc_year=world.bloc_year, award_title=co, unit=merged)
    services.award_create(
        bloc_year=world.bloc_year, award_title=bang_khen, unit=keeper, person_name="Phạm Văn C"
    )
    old_name = keeper.name
    unit_rename(unit=keeper, new_name="Tên mới sau sắp xếp", effective_date=dt.date(2025, 7, 1))
    unit_merge(unit=merged, into=keeper, effective_date=dt.date(2025, 7, 1))
    client.force_login(world.office)
    url = reverse("blocs:unit_detail", args=[keeper.pk])
    # 21 with the one query for the lineage units this user may open (issue 13: no 404 links).
    with django_assert_max_num_queries(21):
        page = client.get(url).content.decode()
    section = page.split('id="h-unit-awards"')[1]
    assert "(2)" in section.split("</h2>")[0]
    assert merged.name in section and old_name in section and "Phạm Văn C" in section


def test_the_unit_panel_query_count_does_not_grow_with_awards(
    client, world, bang_khen, django_assert_num_queries
):
    unit = world.units[0]
    client.force_login(world.office)
    url = reverse("blocs:unit_detail", args=[unit.pk])
    services.award_create(
        bloc_year=world.bloc_year, award_title=bang_khen, unit=unit, person_name="Người 0"
    )
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(1, 15):
        services.award_create(
            bloc_year=world.bloc_year, award_title=bang_khen, unit=unit, person_name=f"Người {i}"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Người 14" in page


@pytest.mark.parametrize("path", ["awards:award_report", "awards:title_list"])
def test_report_pages_list_the_legal_catalog(client, world, titles, path):
    client.force_login(world.office)
    page = client.get(reverse(path)).content.decode()
    # The titles of the legal catalog (the report offers them in its filter), not the menu's
    # «Khen thưởng», which every page prints.
    for name in (
        "Cờ thi đua của Chính phủ",
        "Bằng khen của Thủ tướng Chính phủ",
        "Cờ thi đua của UBND tỉnh",
        "Bằng khen của Chủ tịch UBND tỉnh",
        "Tập thể lao động xuất sắc",
        "Tập thể lao động tiên tiến",
    ):
        assert name in page, (path, name)
