"""View × role matrix for the awards app.

Office staff of the organizer and the bloc's secretary run the year (quotas, nominations,
criteria, locks); only office staff record decisions; a delegate acts for its own unit
(registration, signature, self-scoring) and reads the rest (403 on changes); other provinces,
delegates of other blocs and users without a role get 404. Catalog and report pages are open
to every logged-in user but show only what they may see.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from awards import services
from awards.catalog import ensure_catalog
from awards.models import Award, AwardTitle, Criterion, Nomination
from blocs.services import bloc_year_create

from .conftest import make_scheme, self_assess

ROLES = ["superuser", "office", "secretary", "delegate", "other_office", "outsider", "nobody"]
VIEW = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 200,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
EVERYONE = dict.fromkeys(ROLES, 200)
RUN_GET = {**VIEW, "delegate": 403}
RUN_POST = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
OFFICE_POST = {**RUN_POST, "secretary": 403}
OWN_UNIT_POST = {**RUN_POST, "delegate": 302}
CATALOG_POST = {
    "superuser": 302,
    "office": 302,
    "other_office": 302,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}


# The world and the year below are built once for the module; each test starts from them in a
# savepoint of its own, with its own copies of the objects (tests/conftest.py: shared).


@pytest.fixture(scope="module")
def module_data(module_world, module_db):
    with module_db():
        ensure_catalog()  # as the `titles` fixture does
        titles = {t.code: t for t in AwardTitle.objects.all()}
        return _year(
            module_world, titles["co-thi-dua-ubnd-tinh"], titles["bang-khen-chu-tich-ubnd-tinh"]
        )


@pytest.fixture
def world(shared):
    return shared[0]


@pytest.fixture
def s(shared):
    return shared[1]


def _year(world, co, bang_khen):
    by, u = world.bloc_year, world.units
    services.quota_set(bloc_year=by, award_title=co, max_count=1)
    services.quota_set(bloc_year=by, award_title=bang_khen, max_count=3)
    covenant = services.covenant_create(bloc_year=by, title="Giao ước thi đua năm 2024")
    target = services.covenant_target_add(covenant=covenant, text="Hoàn thành 100% chỉ tiêu")
    nomination = services.nomination_add(
        bloc_year=by, award_title=co, unit=u[2], reason="Thành tích nổi bật"
    )
    withdrawn = services.nomination_add(
        bloc_year=by, award_title=bang_khen, unit=u[4], reason="Đề xuất"
    )
    services.nomination_withdraw(nomination=withdrawn, reason="Trùng")
    award = services.award_create(
        bloc_year=by, award_title=bang_khen, unit=u[3], source_label="Hội nghị"
    )
    scheme = make_scheme(by)
    leaf = scheme.criteria.exclude(kind=Criterion.Kind.GROUP).first()
    # A second year of the same bloc, with scoring open, for the sheet pages.
    later = bloc_year_create(bloc=by.bloc, year=2025)
    later_scheme = make_scheme(later, open_=True)
    own_sheet = later_scheme.sheets.get(unit=u[1])
    return {
        "by": by,
        "co": co,
        "bk": bang_khen,
        "covenant": covenant,
        "target": target,
        "nomination": nomination,
        "withdrawn": withdrawn,
        "award": award,
        "leaf": leaf,
        "later": later,
        "own_sheet": own_sheet,
        "u": u,
    }


def cases(s):
    by, u = s["by"].pk, s["u"]
    y = lambda name, *extra: reverse(f"awards:{name}", args=[by, *extra])  # noqa: E731
    leaves = {c.code: c for c in s["own_sheet"].scheme.criteria.exclude(kind=Criterion.Kind.GROUP)}
    self_data = {"mode": "self"} | {f"v{c.pk}": "10" for c in leaves.values() if c.kind == "points"}
    return {
        # pages
        "year_awards": ("get", y("year_awards"), None, VIEW),
        "results": ("get", y("results"), None, VIEW),
        "results_export": ("get", y("results_export"), None, VIEW),
        "deadlines": ("get", y("deadlines"), None, VIEW),
        "covenant": ("get", y("covenant"), None, VIEW),
        "registrations": ("get", y("registrations"), None, VIEW),
        "scoring": ("get", y("scoring"), None, VIEW),
        "ranking": ("get", reverse("awards:ranking", args=[s["later"].pk]), None, VIEW),
        "sheet_detail": (
            "get",
            reverse("awards:sheet_detail", args=[s["own_sheet"].pk]),
            None,
            VIEW,
        ),
        "title_list": ("get", reverse("awards:title_list"), None, EVERYONE),
        "award_report": ("get", reverse("awards:award_report"), None, EVERYONE),
        "award_report_export": ("get", reverse("awards:award_report_export"), None, EVERYONE),
        "criterion_add": ("get", y("criterion_add"), None, RUN_GET),
        "criterion_edit": ("get", y("criterion_edit", s["leaf"].pk), None, RUN_GET),
        # running the year
        "quota_set": (
            "post",
            y("quota_set"),
            {"award_title": s["co"].pk, "max_count": 2, "eligibility": "any"},
            RUN_POST,
        ),
        "nominations_generate": (
            "post",
            y("nominations_generate"),
            {"award_title": s["bk"].pk},
            RUN_POST,
        ),
        "nomination_add": (
            "post",
            y("nomination_add"),
            {"award_title": s["co"].pk, "unit": u[5].pk, "reason": "Thành tích đột xuất"},
            RUN_POST,
        ),
        "nomination_withdraw": (
            "post",
            y("nomination_withdraw", s["nomination"].pk),
            {"reason": "Bị kỷ luật"},
            RUN_POST,
        ),
        "nomination_restore": (
            "post",
            y("nomination_restore", s["withdrawn"].pk),
            {"reason": "Xét lại"},
            RUN_POST,
        ),
        "award_create": (
            "post",
            y("award_create"),
            {"award_title": s["bk"].pk, "unit": u[6].pk, "person_name": "Nguyễn Văn A"},
            RUN_POST,
        ),
        "scoring_action": ("post", y("scoring_action", "create"), {}, RUN_POST),
        "criterion_delete": ("post", y("criterion_delete", s["leaf"].pk), {}, RUN_POST),
        "deadlines_post": (
            "post",
            y("deadlines"),
            {"kind": "registration", "due_on": "2024-03-31"},
            RUN_POST,
        ),
        "sheet_action": (
            "post",
            reverse("awards:sheet_action", args=[s["own_sheet"].pk, "apply-cross"]),
            {},
            {**RUN_POST, "superuser": 422, "office": 422, "secretary": 422},
        ),
        # office only
        "award_decision": (
            "post",
            y("award_decision"),
            {
                "awards": [s["award"].pk],
                "decision_number": "12/QĐ-UBND",
                "decision_date": "2025-01-15",
                "decision_issuer": "Chủ tịch UBND tỉnh",
            },
            OFFICE_POST,
        ),
        "award_reject": (
            "post",
            y("award_reject", s["award"].pk),
            {"reason": "Không đủ điều kiện"},
            OFFICE_POST,
        ),
        "catalog_load": ("post", reverse("awards:catalog_load"), {}, CATALOG_POST),
        # the leader unit, the secretary or the office (the delegate here is not the leader)
        "covenant_create": (
            "post",
            reverse("awards:covenant_create", args=[s["later"].pk]),
            {"title": "Giao ước năm 2025"},
            RUN_POST,
        ),
        "covenant_edit": (
            "post",
            reverse("awards:covenant_edit", args=[s["covenant"].pk]),
            {"title": "Giao ước thi đua năm 2024 (sửa)"},
            RUN_POST,
        ),
        "covenant_target_add": (
            "post",
            reverse("awards:covenant_target_add", args=[s["covenant"].pk]),
            {"text": "Không có vụ việc tồn đọng"},
            RUN_POST,
        ),
        "covenant_target_remove": (
            "post",
            reverse("awards:covenant_target_remove", args=[s["covenant"].pk, s["target"].pk]),
            {},
            RUN_POST,
        ),
        "covenant_revise": (
            "post",
            reverse("awards:covenant_revise", args=[s["covenant"].pk]),
            {"change_note": "Bổ sung chỉ tiêu"},
            RUN_POST,
        ),
        # a unit's own actions: the delegate of units[1] may act for it
        "covenant_sign": (
            "post",
            reverse("awards:covenant_sign", args=[s["covenant"].pk]),
            {
                "unit": u[1].pk,
                "representative_name": "Trần Văn B",
                "representative_position": "Chánh án",
                "signed_on": "2024-02-01",
            },
            OWN_UNIT_POST,
        ),
        "registrations_post": (
            "post",
            y("registrations"),
            {
                "unit": u[1].pk,
                "titles": [s["co"].pk],
                "commitments": "Hoàn thành xuất sắc",
                "registered_on": "2024-02-01",
            },
            OWN_UNIT_POST,
        ),
        "sheet_detail_post": (
            "post",
            reverse("awards:sheet_detail", args=[s["own_sheet"].pk]),
            self_data,
            OWN_UNIT_POST,
        ),
    }


CASE_NAMES = [
    "year_awards",
    "results",
    "results_export",
    "deadlines",
    "covenant",
    "registrations",
    "scoring",
    "ranking",
    "sheet_detail",
    "title_list",
    "award_report",
    "award_report_export",
    "criterion_add",
    "criterion_edit",
    "quota_set",
    "nominations_generate",
    "nomination_add",
    "nomination_withdraw",
    "nomination_restore",
    "award_create",
    "scoring_action",
    "criterion_delete",
    "deadlines_post",
    "sheet_action",
    "award_decision",
    "award_reject",
    "catalog_load",
    "covenant_create",
    "covenant_edit",
    "covenant_target_add",
    "covenant_target_remove",
    "covenant_revise",
    "covenant_sign",
    "registrations_post",
    "sheet_detail_post",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_each_role_gets_the_answer_its_rights_allow(client, world, s, case):
    """Every role tries the same request on the same data (each attempt rolled back)."""
    method, url, data, expected = cases(s)[case]
    got = {}
    for role in ROLES:
        savepoint = transaction.savepoint_create()
        client.force_login(world.users()[role])
        response = client.get(url) if method == "get" else client.post(url, data or {})
        got[role] = response.status_code
        transaction.savepoint_rollback(savepoint)
    assert got == expected


def test_anonymous_users_are_sent_to_login(client, world, s):
    for method, url, data, _expected in cases(s).values():
        response = client.get(url) if method == "get" else client.post(url, data or {})
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_leader_units_delegate_drafts_the_covenant_but_another_delegate_cannot(
    client, world, s
):
    from tests.factories import UserFactory, grant

    leader_delegate = UserFactory(username="daibieu-khoitruong")
    grant(leader_delegate, "delegate", world.units[0])
    url = reverse("awards:covenant_target_add", args=[s["covenant"].pk])
    client.force_login(world.delegate)
    assert client.post(url, {"text": "Chỉ tiêu mới"}).status_code == 403
    client.force_login(leader_delegate)
    assert client.post(url, {"text": "Chỉ tiêu mới"}).status_code == 302
    assert s["covenant"].targets.filter(text="Chỉ tiêu mới").exists()


def test_a_delegate_cannot_sign_or_register_for_another_unit(client, world, s):
    client.force_login(world.delegate)
    other = world.units[2]
    response = client.post(
        reverse("awards:covenant_sign", args=[s["covenant"].pk]),
        {
            "unit": other.pk,
            "representative_name": "X",
            "representative_position": "Y",
            "signed_on": "2024-02-01",
        },
    )
    assert response.status_code == 422  # the other unit is not a choice for this delegate
    assert not s["covenant"].signatures.exists()
    response = client.post(
        reverse("awards:registrations", args=[s["by"].pk]),
        {"unit": other.pk, "commitments": "X", "registered_on": "2024-02-01"},
    )
    assert response.status_code == 422
    assert not other.registrations.exists()


def test_a_delegate_cannot_self_score_another_units_sheet(client, world, s):
    sheet = s["own_sheet"].scheme.sheets.get(unit=world.units[2])
    client.force_login(world.delegate)
    leaf = sheet.scheme.criteria.exclude(kind=Criterion.Kind.GROUP).first()
    response = client.post(
        reverse("awards:sheet_detail", args=[sheet.pk]), {"mode": "self", f"v{leaf.pk}": "5"}
    )
    assert response.status_code == 403
    assert not sheet.scores.filter(self_value__isnull=False).exists()
    self_assess(s["own_sheet"])  # and submitting someone else's sheet is refused too
    assert client.post(reverse("awards:sheet_action", args=[sheet.pk, "submit"])).status_code == 403


def test_post_results_are_visible_state_changes(client, world, s):
    """A few allowed POSTs really changed what they say (the matrix checks only status codes)."""
    client.force_login(world.office)
    method, url, data, _ = cases(s)["award_decision"]
    client.post(url, data)
    s["award"].refresh_from_db()
    assert s["award"].status == Award.Status.FINAL and s["award"].decision_number == "12/QĐ-UBND"
    method, url, data, _ = cases(s)["nomination_withdraw"]
    client.post(url, data)
    s["nomination"].refresh_from_db()
    assert (
        s["nomination"].status == Nomination.Status.WITHDRAWN
        and s["nomination"].reason == "Bị kỷ luật"
    )
    assert Decimal(1) == 1
