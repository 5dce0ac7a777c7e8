"""One definition of each thing (issue 14): the QR helper, the formula guard, pagination links."""

import base64
import datetime as dt
import re

import pytest
from django.urls import reverse

from khoithidua.lib.formulas import FORMULA_REJECT, neutralize, unneutralize
from khoithidua.lib.qr import qr_data_uri
from tests.factories import UnitFactory


def _svg(uri: str) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :]).decode()


def test_the_qr_helper_draws_an_svg_that_depends_on_its_text():
    first = _svg(qr_data_uri("https://x.invalid/a"))
    second = _svg(qr_data_uri("https://x.invalid/b"))
    assert "<svg" in first and "<path" in first
    # a white background, so the code reads on screen and in print alike
    assert '<rect fill="white"' in first
    assert first != second
    assert _svg(qr_data_uri("https://x.invalid/a")) == first


def test_meetings_and_documents_use_the_same_qr_helper():
    import documents.services
    import meetings.views

    assert meetings.views.qr_data_uri is qr_data_uri
    assert documents.services.qr_data_uri is qr_data_uri


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Sở Nội vụ", "Sở Nội vụ"),
        ("a=b", "a=b"),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_neutralize_prefixes_every_formula_start_and_leaves_plain_text(value, expected):
    assert neutralize(value) == expected


@pytest.mark.parametrize("value", ["=1+1", "-3", "@x", "\tx", "Khối 1", "'quoted"])
def test_unneutralize_reads_back_what_neutralize_wrote(value):
    assert unneutralize(neutralize(value)) == value


def test_every_export_and_import_uses_the_one_guard():
    import accounts.registry
    import awards.reports
    import blocs.registry

    assert awards.reports.neutralize is neutralize
    assert blocs.registry.neutralize is neutralize
    assert accounts.registry.FORMULA_REJECT is FORMULA_REJECT
    assert blocs.registry.FORMULA_REJECT is FORMULA_REJECT


def test_unit_list_pages_keep_the_search_and_replace_only_the_page(client, world):
    for n in range(55):
        UnitFactory(organizer=world.organizer, name=f"Trường số {n:02d}", code=f"truong-{n}")
    client.force_login(world.office)
    url = reverse("blocs:unit_list")
    page1 = client.get(url, {"q": "Trường", "archived": "1"}).content.decode()
    links = re.findall(r'href="(\?[^"]*page=[^"]*)"', page1)
    assert links == ["?q=Tr%C6%B0%E1%BB%9Dng&amp;archived=1&amp;page=2"]
    page2 = client.get(url, {"q": "Trường", "archived": "1", "page": "2"}).content.decode()
    links = re.findall(r'href="(\?[^"]*page=[^"]*)"', page2)
    assert links == ["?q=Tr%C6%B0%E1%BB%9Dng&amp;archived=1&amp;page=1"]
    assert page2.count("Trường số") == 5


def test_member_units_of_a_year_on_a_date_leave_out_memberships_not_in_force(world):
    from blocs.models import Membership, Unit

    left, late = world.units[1], world.units[2]
    Membership.objects.filter(bloc_year=world.bloc_year, unit=left).update(
        left_on=dt.date(2024, 6, 30)
    )
    Membership.objects.filter(bloc_year=world.bloc_year, unit=late).update(
        joined_on=dt.date(2024, 12, 1)
    )
    whole_year = set(Unit.objects.members_of(world.bloc_year))
    assert whole_year == set(world.units)
    on_day = set(Unit.objects.members_of(world.bloc_year, on=dt.date(2024, 11, 21)))
    assert on_day == set(world.units) - {left, late}
    assert set(Unit.objects.members_of(world.bloc_year, on=dt.date(2024, 6, 30))) == (
        set(world.units) - {late}
    )


def test_invitations_quorum_and_minutes_count_the_same_members_on_the_meeting_day(world):
    from blocs.models import Membership
    from meetings import services
    from meetings.minutes import _attendance
    from notices.services import invitation_recipients
    from tests.meetings.conftest import make_meeting, mark_present

    left = world.units[1]
    Membership.objects.filter(bloc_year=world.bloc_year, unit=left).update(
        left_on=dt.date(2024, 6, 30)
    )
    meeting = make_meeting(world)  # 21/11/2024
    mark_present(meeting, world.units[2:6])
    invited = {u.pk for u in invitation_recipients(meeting).units_without_email} | {
        r.unit.pk for r in invitation_recipients(meeting).recipients if r.unit
    }
    assert left.pk not in invited
    q = services.quorum(meeting)
    assert (q.members, q.present) == (7, 4)
    assert q.needed == world.bloc.quorum_needed(7)
    _, line = _attendance(meeting, dt.date(2024, 11, 21))
    assert (line.members, line.present, line.needed) == (q.members, q.present, q.needed)
    assert line.fraction == f"{q.numerator}/{q.denominator}"


def test_one_access_helper_fetches_a_bloc_year_and_checks_who_runs_it(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from blocs.access import get_bloc_year_for_user

    pk = world.bloc_year.pk
    for runner in (world.office, world.secretary, world.superuser):
        assert get_bloc_year_for_user(runner, pk, run=True) == world.bloc_year
    assert get_bloc_year_for_user(world.delegate, pk) == world.bloc_year  # may see it
    with pytest.raises(PermissionDenied, match="thư ký khối"):
        get_bloc_year_for_user(world.delegate, pk, run=True)  # may not run it
    for stranger in (world.other_office, world.nobody):
        with pytest.raises(Http404):
            get_bloc_year_for_user(stranger, pk, run=True)


@pytest.mark.parametrize("name", ["quota_set", "nominations_generate", "award_create"])
def test_awards_run_pages_refuse_a_delegate_and_hide_from_another_province(client, world, name):
    url = reverse(f"awards:{name}", args=[world.bloc_year.pk])
    client.force_login(world.delegate)
    assert client.post(url).status_code == 403
    client.force_login(world.other_office)
    assert client.post(url).status_code == 404
    client.force_login(world.secretary)
    assert client.post(url).status_code != 403  # the secretary gets past the access check


def test_award_title_create_saves_the_title_and_its_audit_row_together(world, monkeypatch):
    from awards import services
    from awards.models import AwardTitle
    from blocs.models import AuditEvent

    fields = {"organizer": world.organizer, "code": "giay-khen-so", "name": "Giấy khen của Sở"}
    title = services.award_title_create(actor=world.office, **fields)
    event = AuditEvent.objects.get(action="awardtitle.create")
    assert (event.summary, event.object_id) == ("Giấy khen của Sở", str(title.pk))

    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        services.award_title_create(actor=world.office, **{**fields, "code": "giay-khen-2"})
    assert not AwardTitle.objects.filter(code="giay-khen-2").exists()


def test_the_scoring_workflow_permissions_live_outside_the_view(world):
    from awards.access import sheet_modes
    from tests.awards.conftest import make_scheme, self_assess

    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    assert sheet_modes(world.delegate, world.bloc_year, sheet) == {"self": None}
    assert sheet_modes(world.office, world.bloc_year, sheet) == {"self": None}
    assert sheet_modes(world.outsider, world.bloc_year, sheet) == {}
    self_assess(sheet)
    sheet.refresh_from_db()
    assert sheet_modes(world.delegate, world.bloc_year, sheet) == {}
    assert sheet_modes(world.secretary, world.bloc_year, sheet) == {"review": None}


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        ({"done": True, "done_on": dt.date(2024, 11, 3)}, ["badge-ok", "Đã xong 03/11/2024"]),
        (
            {"days_left": -3, "days_overdue": 3, "late_count": 2},
            ["badge-red", "Quá hạn 3 ngày", "2 đơn vị chậm"],
        ),
        ({"days_left": 0}, ["badge-warn", "Hôm nay"]),
        ({"days_left": 5, "pending_count": 4}, ["badge-warn", "Còn 5 ngày", "4 đơn vị chưa xong"]),
        ({"days_left": 20, "pending_count": 0}, ["badge-info", "Còn 20 ngày"]),
    ],
)
def test_the_deadline_badge_shows_each_state_in_one_sentence(deadline, expected):
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    d = SimpleNamespace(
        **{"done": False, "done_on": None, "late_count": 0, "pending_count": 0, **deadline}
    )
    with translation.override("vi"):
        html = " ".join(render_to_string("awards/_deadline_badge.html", {"d": d}).split())
    text = re.sub(r"\s*<[^>]+>\s*", "|", html).strip("|")
    assert expected[0] in html
    assert [t for t in text.split("|") if t] == expected[1:]


def test_meeting_and_signer_pages_refuse_a_delegate_through_the_one_run_helper(client, world):
    from django.utils import timezone

    from legal.models import BlocSigner
    from meetings import services as meeting_services

    refusal = "Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối được thực hiện."
    meeting = meeting_services.meeting_create(
        bloc_year=world.bloc_year, kind="other", title="Hội nghị sơ kết", starts_at=timezone.now()
    )
    signer = BlocSigner.objects.create(
        bloc_year=world.bloc_year, role="leader", unit=world.units[0], full_name="A", title="B"
    )
    pk = world.bloc_year.pk
    requests = [
        ("get", reverse("meetings:meeting_create", args=[pk])),
        ("get", reverse("meetings:meeting_edit", args=[meeting.pk])),
        ("post", reverse("legal:bloc_signer_add", args=[pk])),
        ("post", reverse("legal:record_remove", args=[pk, "signer", signer.pk])),
    ]
    client.force_login(world.delegate)
    for method, url in requests:
        response = getattr(client, method)(url)
        assert (response.status_code, refusal in response.content.decode()) == (403, True), url
    assert BlocSigner.objects.filter(pk=signer.pk).exists()
    client.force_login(world.secretary)
    assert client.get(requests[0][1]).status_code == 200
    assert client.get(requests[1][1]).status_code == 200
    assert client.post(requests[3][1]).status_code == 302
    assert not BlocSigner.objects.filter(pk=signer.pk).exists()
