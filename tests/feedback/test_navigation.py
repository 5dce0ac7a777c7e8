"""Navigation on the day (issue 13): a meeting of today is on the dashboard all day, and the
rotation proposal button goes away once the proposal is written down."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from blocs import services
from blocs.models import Bloc, LeadershipTerm
from meetings.models import Meeting
from tests.factories import BlocFactory, UserFactory, grant, make_bloc_year


def test_a_meeting_that_started_this_morning_is_todays_meeting_on_the_dashboard(client, world):
    now = timezone.localtime()
    started = max(
        now.replace(hour=0, minute=1, second=0, microsecond=0), now - dt.timedelta(hours=2)
    )
    if started > now:  # the first minute after midnight
        started = now
    Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm đang họp",
        starts_at=started,
    )
    Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="midyear",
        title="Sơ kết hôm trước",
        starts_at=now - dt.timedelta(days=1),
    )
    client.force_login(world.secretary)
    page = client.get(reverse("dashboard")).text
    row = page.split("Hội nghị tổng kết năm đang họp", 1)[1].split("</td>", 1)[0]
    assert "Hôm nay" in row
    assert "Chưa có lịch" not in page.split(world.bloc.name, 1)[1].split("</tr>", 1)[0]


def test_the_rotation_button_goes_away_once_the_proposal_is_written_down(client, db):
    bloc = BlocFactory(rotation_policy=Bloc.RotationPolicy.ORDER)
    y2023 = make_bloc_year(5, year=2023, bloc=bloc)
    units = [m.unit for m in y2023.memberships.order_by("unit_id").select_related("unit")]
    services.rotation_set_order(bloc=bloc, units=units)
    services.leadership_set(bloc_year=y2023, role="leader", unit=units[0])
    services.leadership_set(bloc_year=y2023, role="deputy", unit=units[1])
    y2024 = services.bloc_year_create(bloc=bloc, year=2024)
    office = UserFactory()
    grant(office, "office", bloc.organizer)
    client.force_login(office)
    url = reverse("blocs:bloc_year_detail", args=[y2024.pk])
    assert "Ghi đề xuất" in client.get(url).text

    response = client.post(reverse("blocs:leadership_propose", args=[y2024.pk]))
    assert response.status_code == 302
    assert LeadershipTerm.objects.filter(bloc_year=y2024).count() == 2
    page = client.get(url).text
    assert "Ghi đề xuất" not in page
    assert "Đề xuất theo kế hoạch luân phiên" not in page
    assert "Chấp thuận" in page  # what is left to do is shown instead
