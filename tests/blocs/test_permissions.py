"""Role × view matrix for the registry: the wrong role gets 403 (can see) or 404 (cannot see)."""

import datetime as dt

import pytest
from django.urls import reverse

from blocs.merger import merger_record
from blocs.models import LeadershipTerm

from ..factories import OrganizerFactory

# Every test here starts from the module's world, built once (tests/conftest.py: shared_world).


@pytest.fixture
def world(shared_world):
    return shared_world


@pytest.fixture(scope="module")
def urls(module_world, module_db):
    """The matrix's requests, with the merger and the export job they need (built once)."""
    with module_db():
        return _urls(module_world)


ROLES = ["superuser", "office", "other_office", "secretary", "delegate", "outsider", "nobody"]

# Expected status per role. "ok" means 200 for GET, redirect (302) for a successful POST.
VIEW = {
    "superuser": "ok",
    "office": "ok",
    "secretary": "ok",
    "delegate": "ok",
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
MANAGE = {
    "superuser": "ok",
    "office": "ok",
    "secretary": 403,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
OFFICE_ONLY = {
    "superuser": "ok",
    "office": "ok",
    "other_office": "ok",
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}
EVERYONE = dict.fromkeys(ROLES, "ok")
# Organizer pages: only who manages the organizer sees it (others get 404, no existence leak).
ORGANIZER = dict.fromkeys(ROLES, 404) | {"superuser": "ok", "office": "ok"}


def _urls(world):
    by = world.bloc_year
    bloc = world.bloc
    unit = world.units[1]
    membership = by.memberships.get(unit=world.units[7])
    term = LeadershipTerm.objects.get(bloc_year=by, role="leader")
    merged = OrganizerFactory(code="tinh-cu", name="UBND tỉnh Cũ", province="Cũ")
    merger = merger_record(
        source=merged, target=world.organizer, effective_date=dt.date(2025, 7, 1), basis="NQ"
    )
    return {
        # name: (method, url, expectations, post data)
        "dashboard": ("get", reverse("dashboard"), EVERYONE, None),
        "ping": ("get", reverse("ping"), EVERYONE, None),
        "bloc_detail": ("get", reverse("blocs:bloc_detail", args=[bloc.pk]), VIEW, None),
        "bloc_year_detail": ("get", reverse("blocs:bloc_year_detail", args=[by.pk]), VIEW, None),
        "unit_detail": ("get", reverse("blocs:unit_detail", args=[unit.pk]), VIEW, None),
        "unit_list": ("get", reverse("blocs:unit_list"), EVERYONE, None),
        "bloc_edit": ("get", reverse("blocs:bloc_edit", args=[bloc.pk]), MANAGE, None),
        "bloc_rotation": ("get", reverse("blocs:bloc_rotation", args=[bloc.pk]), MANAGE, None),
        "bloc_year_create": (
            "get",
            reverse("blocs:bloc_year_create", args=[bloc.pk]),
            MANAGE,
            None,
        ),
        "bloc_year_edit": ("get", reverse("blocs:bloc_year_edit", args=[by.pk]), MANAGE, None),
        "leadership_set": ("get", reverse("blocs:leadership_set", args=[by.pk]), MANAGE, None),
        "membership_edit": (
            "get",
            reverse("blocs:membership_edit", args=[by.pk, membership.pk]),
            MANAGE,
            None,
        ),
        "unit_edit": ("get", reverse("blocs:unit_edit", args=[unit.pk]), MANAGE, None),
        "unit_rename": ("get", reverse("blocs:unit_rename", args=[unit.pk]), MANAGE, None),
        "unit_merge": ("get", reverse("blocs:unit_merge", args=[unit.pk]), MANAGE, None),
        "unit_receive": ("get", reverse("blocs:unit_receive", args=[unit.pk]), MANAGE, None),
        "organizer_list": ("get", reverse("blocs:organizer_list"), OFFICE_ONLY, None),
        "organizer_merge": (
            "get",
            reverse("blocs:organizer_merge", args=[world.organizer.pk]),
            ORGANIZER,
            None,
        ),
        "merger_review": (
            "get",
            reverse("blocs:merger_review", args=[merger.pk]),
            ORGANIZER,
            None,
        ),
        "merger_cancel": (
            "post",
            reverse("blocs:merger_cancel", args=[merger.pk]),
            ORGANIZER,
            {},
        ),
        "bloc_archive": ("post", reverse("blocs:bloc_archive", args=[bloc.pk]), MANAGE, {}),
        "bloc_year_archive": ("post", reverse("blocs:bloc_year_archive", args=[by.pk]), MANAGE, {}),
        "unit_archive": ("post", reverse("blocs:unit_archive", args=[unit.pk]), MANAGE, {}),
        "membership_remove": (
            "post",
            reverse("blocs:membership_remove", args=[by.pk, membership.pk]),
            MANAGE,
            {},
        ),
        "membership_add": (
            "post",
            reverse("blocs:membership_add", args=[by.pk]),
            MANAGE,
            {"unit": "", "joined_on": "", "note": ""},
        ),
        "leadership_propose": (
            "post",
            reverse("blocs:leadership_propose", args=[by.pk]),
            MANAGE,
            {},
        ),
        "leadership_accept": (
            "post",
            reverse("blocs:leadership_accept", args=[by.pk, term.pk]),
            MANAGE,
            {},
        ),
        "bloc_create": ("get", reverse("blocs:bloc_create"), OFFICE_ONLY, None),
        "unit_create": ("get", reverse("blocs:unit_create"), OFFICE_ONLY, None),
        "registry_import": ("get", reverse("blocs:registry_import"), OFFICE_ONLY, None),
        "registry_export": (
            "get",
            reverse("blocs:registry_export", args=["csv"]),
            OFFICE_ONLY,
            None,
        ),
        # The file of a big export's job (run at once by the test backend): its owner and the
        # organizer's office staff (and superusers); 404 for everyone else.
        "registry_export_download": (
            "get",
            reverse("blocs:registry_export_download", args=[_export_job(world).pk]),
            ORGANIZER,
            None,
        ),
    }


def _export_job(world):
    from blocs.registry_jobs import registry_export_job
    from jobs.services import job_start

    return job_start(
        func=registry_export_job,
        title="Xuất danh mục khối thi đua (CSV)",
        owner=world.office,
        kwargs={"organizer_ids": [world.organizer.pk], "fmt": "csv", "filename": "danh-muc.csv"},
    )


VIEW_NAMES = [
    "dashboard",
    "ping",
    "bloc_detail",
    "bloc_year_detail",
    "unit_detail",
    "unit_list",
    "bloc_edit",
    "bloc_rotation",
    "bloc_year_create",
    "bloc_year_edit",
    "leadership_set",
    "membership_edit",
    "unit_edit",
    "unit_rename",
    "unit_merge",
    "unit_receive",
    "organizer_list",
    "organizer_merge",
    "merger_review",
    "merger_cancel",
    "bloc_archive",
    "bloc_year_archive",
    "unit_archive",
    "membership_remove",
    "membership_add",
    "leadership_propose",
    "leadership_accept",
    "bloc_create",
    "unit_create",
    "registry_import",
    "registry_export",
    "registry_export_download",
]


# A POST that the role may make but whose empty form is invalid: the status that says so.
OK_POST = {"membership_add": 422}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view_name", VIEW_NAMES)
def test_registry_view_answers_each_role_as_the_matrix_says(client, world, urls, view_name, role):
    method, url, expectations, data = urls[view_name]
    client.force_login(world.users()[role])
    response = client.post(url, data) if method == "post" else client.get(url)
    expected = expectations[role]
    if expected == "ok":
        # A page: 200. A POST: done and redirected (302), or, for the empty membership form,
        # let in and refused as invalid (422).
        wanted = 200 if method == "get" else OK_POST.get(view_name, 302)
        assert response.status_code == wanted, (view_name, role, response.status_code)
    else:
        assert response.status_code == expected, (view_name, role, response.status_code)


@pytest.mark.parametrize("view_name", VIEW_NAMES)
def test_anonymous_user_is_sent_to_login(client, world, urls, view_name):
    method, url, _, data = urls[view_name]
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_secretary_cannot_archive_even_with_a_crafted_post(client, world):
    client.force_login(world.secretary)
    response = client.post(reverse("blocs:bloc_archive", args=[world.bloc.pk]))
    assert response.status_code == 403
    world.bloc.refresh_from_db()
    assert world.bloc.archived_at is None


def test_post_only_views_refuse_get(client, world):
    client.force_login(world.office)
    response = client.get(reverse("blocs:bloc_archive", args=[world.bloc.pk]))
    assert response.status_code == 405


def test_office_cannot_add_another_provinces_unit_as_member(client, world):
    foreign_unit = world.other_bloc_year.memberships.first().unit
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:membership_add", args=[world.bloc_year.pk]), {"unit": foreign_unit.pk}
    )
    assert response.status_code == 422
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not world.bloc_year.memberships.filter(unit=foreign_unit).exists()


@pytest.mark.parametrize("role", [None, *ROLES])
def test_favicon_is_public_and_only_redirects_to_the_static_icon(client, world, role):
    """`favicon` (browsers ask for /favicon.ico on pages without the site's <head>): the same
    permanent redirect for anyone, signed in or not; it reveals and changes nothing."""
    if role:
        client.force_login(world.users()[role])
    response = client.get(reverse("favicon"))
    assert response.status_code == 301
    assert response["Location"].endswith(".svg") and "favicon" in response["Location"]
