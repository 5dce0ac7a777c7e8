import io

import pytest
from django.core.management import call_command

from awards.models import Award
from blocs.models import LeadershipTerm
from meetings import services
from meetings.models import AgendaItem, Guest, Meeting, Poll


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_demo_meetings_carry_what_the_reports_say_and_load_twice_without_doubling(demo):
    counts = (
        Meeting.objects.count(),
        Guest.objects.count(),
        AgendaItem.objects.count(),
        Poll.objects.count(),
    )
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (
        Meeting.objects.count(),
        Guest.objects.count(),
        AgendaItem.objects.count(),
        Poll.objects.count(),
    )
    bac_ninh = Meeting.objects.get(
        bloc_year__bloc__organizer__code="bac-ninh", starts_at__date="2023-11-21"
    )
    assert bac_ninh.guests.filter(
        name="Nguyễn Hương Giang", position__contains="Chủ tịch UBND tỉnh"
    ).exists()
    motion = bac_ninh.polls.get()
    assert motion.kind == "motion" and motion.mode == "reported" and motion.status == "published"
    assert services.poll_outcome(motion).adopted is True
    tay_ninh = Meeting.objects.get(bloc_year__bloc__organizer__code="tay-ninh")
    assert tay_ninh.guests.filter(name="Nguyễn Đài Thy").exists()
    assert services.quorum(tay_ninh).present == 4


def test_demo_votes_flow_to_awards_and_leadership_without_invented_counts(demo):
    awarded = set(
        Award.objects.values_list(
            "bloc_year__bloc__organizer__code", "award_title__code", "unit__code"
        )
    )
    assert {
        ("tay-ninh", "co-thi-dua-ubnd-tinh", "vksnd"),
        ("tay-ninh", "bang-khen-chu-tich-ubnd-tinh", "cong-an"),
        ("tay-ninh", "bang-khen-chu-tich-ubnd-tinh", "bchqs"),
    } <= awarded
    leader = LeadershipTerm.objects.get(
        bloc_year__bloc__code="nctw", bloc_year__year=2024, role="leader"
    )
    assert leader.unit.code == "tandtc" and leader.elected_at_url.startswith("/meetings/")
    for poll in Poll.objects.all():
        assert not poll.ballots.exists() and not poll.paper_counts.exists()
        assert "không được báo cáo" in services.poll_outcome(poll).lines[0].sentence
