"""View × role matrix for meetings. Office staff of the organizer and the bloc's secretary run
meetings (200/302); delegates of member units read (200) but may not change (403); office staff
of another province, delegates of other blocs and users without a role get 404. Voting and
check-in pages need no login: the one-time code is the credential."""

import pytest
from django.test import override_settings
from django.urls import reverse

from blocs.models import AuditEvent
from meetings import services
from meetings.models import Poll

from .conftest import _CODES, codes, make_meeting, make_poll, mark_present

VIEW = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 200,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
RUN_GET = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
RUN_POST = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


# The world and the meeting below are built once for the module; each test starts from them in a
# savepoint of its own, with its own copies of the objects (tests/conftest.py: shared).


@pytest.fixture(scope="module")
def module_data(module_world, module_db):
    with module_db():
        m = make_meeting(module_world)  # as the `full_meeting` fixture: all 8 units present
        mark_present(m, module_world.units)
        return _setup(module_world, m)


@pytest.fixture
def world(shared):
    return shared[0]


@pytest.fixture
def setup(shared):
    return shared[1]


@pytest.fixture(autouse=True)
def _forget_codes():
    """codes() keeps the slips it printed by (poll, opened_at); here the open poll is the same
    in every test, but the slips a test printed were rolled back with it."""
    _CODES.clear()


def _setup(world, m):
    u = world.units
    guest = services.guest_add(meeting=m, name="Nguyễn Hương Giang", position="Chủ tịch UBND tỉnh")
    from meetings.models import AgendaItem

    item = services.agenda_item_save(
        item=AgendaItem(meeting=m, title="Báo cáo tổng kết", duration_minutes=20)
    )
    draft = make_poll(m, u[:2])
    open_poll = services.poll_open(poll=make_poll(m, u[:2], title="Đang mở"))
    paper = services.poll_open(poll=make_poll(m, u[:2], title="Phiếu giấy", mode=Poll.Mode.PAPER))
    reported = make_poll(m, u[:2], title="Ghi nhận", mode=Poll.Mode.REPORTED)
    tie = make_poll(m, u[:2], title="Bằng phiếu", max_rounds=1)
    tie = services.poll_open(poll=tie)
    cands = {c.unit_id: c.pk for c in tie.candidates.all()}
    for i, v in enumerate(tie.voters.all()):
        services.ballot_cast(voter=v, marks=[cands[u[i % 2].pk]])
    tie = services.poll_close(poll=tie, confirm_low_turnout=True)
    published = services.poll_open(poll=make_poll(m, u[:2], title="Đã công bố"))
    services.ballot_cast(voter=published.voters.first(), blank=True)
    services.poll_close(poll=published, confirm_low_turnout=True)
    services.poll_publish(poll=published)
    return {
        "meeting": m,
        "guest": guest,
        "item": item,
        "draft": draft,
        "open": open_poll,
        "paper": paper,
        "reported": reported,
        "tie": tie,
        "published": published,
    }


def view_urls(world, s):
    return {
        "meetings:meeting_list": reverse("meetings:meeting_list", args=[world.bloc_year.pk]),
        "meetings:meeting_detail": reverse("meetings:meeting_detail", args=[s["meeting"].pk]),
        "meetings:attendance": reverse("meetings:attendance", args=[s["meeting"].pk]),
        "meetings:poll_detail": reverse("meetings:poll_detail", args=[s["published"].pk]),
        "meetings:poll_export_csv": reverse("meetings:poll_export_csv", args=[s["published"].pk]),
        "meetings:poll_export_xlsx": reverse("meetings:poll_export_xlsx", args=[s["published"].pk]),
    }


def run_get_urls(world, s):
    m = s["meeting"].pk
    return {
        "meetings:meeting_create": reverse("meetings:meeting_create", args=[world.bloc_year.pk]),
        "meetings:meeting_edit": reverse("meetings:meeting_edit", args=[m]),
        "meetings:agenda_add": reverse("meetings:agenda_add", args=[m]),
        "meetings:agenda_edit": reverse("meetings:agenda_edit", args=[m, s["item"].pk]),
        "meetings:checkin_codes": reverse("meetings:checkin_codes", args=[m]),
        "meetings:poll_create": reverse("meetings:poll_create", args=[m]),
        "meetings:poll_edit": reverse("meetings:poll_edit", args=[s["draft"].pk]),
        "meetings:poll_progress": reverse("meetings:poll_progress", args=[s["open"].pk]),
        "meetings:poll_slips": reverse("meetings:poll_slips", args=[s["open"].pk]),
        "meetings:poll_paper": reverse("meetings:poll_paper", args=[s["paper"].pk]),
        "meetings:poll_paper_ballot": reverse("meetings:poll_paper_ballot", args=[s["paper"].pk]),
        "meetings:poll_tie_break": reverse("meetings:poll_tie_break", args=[s["tie"].pk]),
        "meetings:poll_close": reverse("meetings:poll_close", args=[s["open"].pk]),
        "meetings:poll_record": reverse("meetings:poll_record", args=[s["reported"].pk]),
    }


def run_post_urls(world, s):
    m = s["meeting"].pk
    return {
        "meetings:guest_add": (reverse("meetings:guest_add", args=[m]), {"name": "Khách"}),
        "meetings:guest_remove": (reverse("meetings:guest_remove", args=[m, s["guest"].pk]), {}),
        "meetings:agenda_remove": (reverse("meetings:agenda_remove", args=[m, s["item"].pk]), {}),
        "meetings:attendance": (
            reverse("meetings:attendance", args=[m]),
            {"unit": world.units[0].pk, "status": "present"},
        ),
        "meetings:checkin_codes": (reverse("meetings:checkin_codes", args=[m]), {}),
        "meetings:poll_open": (reverse("meetings:poll_open", args=[s["draft"].pk]), {}),
        "meetings:poll_close": (
            reverse("meetings:poll_close", args=[s["open"].pk]),
            {"confirm_low_turnout": "on"},
        ),
        "meetings:poll_publish": (reverse("meetings:poll_publish", args=[s["tie"].pk]), {}),
        "meetings:poll_runoff": (reverse("meetings:poll_runoff", args=[s["tie"].pk]), {}),
    }


@pytest.mark.parametrize("role,expected", VIEW.items())
def test_people_of_the_bloc_see_meetings_and_published_results_others_get_404(
    client, world, setup, role, expected
):
    client.force_login(world.users()[role])
    for name, url in view_urls(world, setup).items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role,expected", RUN_GET.items())
def test_only_office_and_secretary_open_the_running_pages(client, world, setup, role, expected):
    client.force_login(world.users()[role])
    for name, url in run_get_urls(world, setup).items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role,expected", RUN_POST.items())
def test_only_office_and_secretary_change_meetings_and_polls(client, world, setup, role, expected):
    client.force_login(world.users()[role])
    for name, (url, data) in run_post_urls(world, setup).items():
        assert client.post(url, data).status_code == expected, name


def test_anonymous_users_are_sent_to_login(client, world, setup):
    urls = list(view_urls(world, setup).values()) + list(run_get_urls(world, setup).values())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_voting_and_checkin_pages_need_only_the_code(client, world, setup):
    poll = setup["open"]
    code = codes(poll)[world.units[0].pk]
    assert client.get(reverse("meetings:vote")).status_code == 200
    assert client.get(reverse("meetings:vote_poll", args=[poll.pk])).status_code == 200
    page = client.post(reverse("meetings:vote_poll", args=[poll.pk]), {"code": code})
    assert page.status_code == 200 and world.units[0].name in page.content.decode()
    assert client.post(reverse("meetings:vote"), {"code": "WRONG12345"}).status_code == 404
    assert client.get(reverse("meetings:checkin")).status_code == 200


SLIPS_POST = {**RUN_POST, "superuser": 200, "office": 200, "secretary": 200}


def test_only_office_and_secretary_print_ballot_slips(client, world, setup):
    url = reverse("meetings:poll_slips", args=[setup["open"].pk])
    for role, expected in SLIPS_POST.items():
        client.force_login(world.users()[role])
        before = AuditEvent.objects.filter(action="poll.slips").count()
        assert client.post(url, {"units": [world.units[5].pk]}).status_code == expected, role
        printed = AuditEvent.objects.filter(action="poll.slips").count() - before
        assert printed == (1 if expected == 200 else 0), role


BALLOT = {
    "delegate": 200,  # the delegate of a unit present at open
    "secretary": 403,  # sees the poll, has no unit on the roll
    "office": 403,
    "superuser": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


def test_only_a_delegate_on_the_roll_votes_from_an_account(client, world, setup):
    url = reverse("meetings:poll_ballot", args=[setup["open"].pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for role, expected in BALLOT.items():
        client.force_login(world.users()[role])
        assert client.get(url).status_code == expected, role


def test_the_bulletin_of_a_published_poll_is_public_and_nothing_else_is(client, world, setup):
    published, still_open, closed = setup["published"], setup["open"], setup["tie"]
    for who in (None, "outsider", "delegate"):
        if who:
            client.force_login(world.users()[who])
        for name in ("meetings:poll_bulletin", "meetings:poll_bulletin_json"):
            assert client.get(reverse(name, args=[published.pk])).status_code == 200
            assert client.get(reverse(name, args=[still_open.pk])).status_code == 404
            assert client.get(reverse(name, args=[closed.pk])).status_code == 404
        assert client.get(reverse("meetings:verifier_download")).status_code == 200


def test_delegate_sees_results_only_after_publication(client, world, setup):
    client.force_login(world.delegate)
    tie_url = reverse("meetings:poll_detail", args=[setup["tie"].pk])
    assert "Đạt 4/8" not in client.get(tie_url).content.decode()
    assert (
        client.get(reverse("meetings:poll_export_csv", args=[setup["tie"].pk])).status_code == 403
    )
    client.force_login(world.secretary)
    assert "Đạt 4/8" in client.get(tie_url).content.decode()


def test_bench_ping_post_exists_only_when_enabled(client):
    url = reverse("bench_ping_post")
    assert client.post(url).status_code == 404
    with override_settings(BENCH_ENDPOINTS=True):
        assert client.post(url).status_code == 200
        assert client.get(url).status_code == 405


def test_mark_present_helper_counts(world, meeting):
    mark_present(meeting, world.units[:2])
    assert services.quorum(meeting).present == 2
