"""View × role matrix for ký số. A finalized version's signed files are seen by the people of
the bloc; office staff and the bloc's secretary sign; an organizer's trust roots, certificate
and seal belong to its office staff; the shared trust list to the superuser; a signature image
to its owner. Everyone else: 404 (cannot see) or 403 (can see, may not change)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from signing import services
from signing.models import SignatureImage, SignedFile, TrustRoot

from .conftest import finalize_minutes, make_meeting, outside_sign, png

VIEWERS = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 200,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
SIGNERS = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
ORGANIZER_STAFF = {
    "superuser": 200,
    "office": 200,
    "secretary": 404,
    "delegate": 404,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
OFFICE = {
    "superuser": 200,
    "office": 200,
    "other_office": 200,
    "secretary": 403,
    "delegate": 403,
    "outsider": 403,
    "nobody": 403,
}


# The world and the finalized biên bản (WeasyPrint) are built once for the module; each test
# starts from them in a savepoint of its own, with its own copies of the objects
# (tests/conftest.py: shared). Its signed file is not: some tests need none to exist.


@pytest.fixture(scope="module")
def module_data(module_world, module_db):
    with module_db():
        return finalize_minutes(make_meeting(module_world), module_world)


@pytest.fixture
def world(shared):
    return shared[0]


@pytest.fixture
def version(shared):
    return shared[1]


@pytest.fixture
def signed(version, certs, world):
    services.signed_upload(
        version=version, data=outside_sign(version.pdf_bytes, certs.chair), actor=world.office
    )
    return version


@pytest.mark.parametrize("role,expected", VIEWERS.items())
def test_only_people_of_the_bloc_see_and_download_signed_files(
    client, world, signed, role, expected
):
    client.force_login(world.users()[role])
    urls = {
        "documents:version_detail": reverse("documents:version_detail", args=[signed.pk]),
        "signing:original_pdf": reverse("signing:original_pdf", args=[signed.pk]),
        "signing:signed_pdf": reverse("signing:signed_pdf", args=[signed.pk, 1]),
    }
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == expected, (name, role, response.status_code)
    if expected == 200:
        assert client.get(reverse("signing:signed_pdf", args=[signed.pk, 2])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, signed):
    for name in ("original_pdf", "upload", "sign", "reverify"):
        response = client.post(reverse(f"signing:{name}", args=[signed.pk]))
        assert response.status_code == 302 and "/login/" in response["Location"], name
    response = client.get(reverse("signing:signed_pdf", args=[signed.pk, 1]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role,expected", SIGNERS.items())
def test_only_office_staff_and_the_secretary_may_upload_sign_and_reverify(
    client, world, version, role, expected
):
    client.force_login(world.users()[role])
    for name in ("upload", "sign", "reverify"):
        # An empty form: allowed roles are sent back with an error, others stopped before.
        response = client.post(reverse(f"signing:{name}", args=[version.pk]))
        if name == "reverify" and expected == 302:
            assert response.status_code == 404  # nothing signed yet to check again
        else:
            assert response.status_code == expected, (name, role, response.status_code)
    assert not SignedFile.objects.exists()


@pytest.mark.parametrize("role,expected", OFFICE.items())
def test_the_signing_settings_page_is_for_office_staff(client, world, role, expected):
    client.force_login(world.users()[role])
    assert client.get(reverse("signing:home")).status_code == expected


@pytest.mark.parametrize("role,expected", ORGANIZER_STAFF.items())
def test_an_organizers_certificate_seal_and_roots_are_its_office_staffs(
    client, world, pki, role, expected
):
    client.force_login(world.users()[role])
    org = world.organizer.pk
    assert client.get(reverse("signing:organizer", args=[org])).status_code == expected
    changed = 302 if expected == 200 else expected
    posts = {
        "signing:profile": (reverse("signing:profile", args=[org]), {}),
        "signing:seal": (reverse("signing:seal", args=[org]), {}),
        "signing:trust_add": (reverse("signing:trust_add"), {"organizer": org}),
    }
    for name, (url, data) in posts.items():
        want = changed
        if name == "signing:trust_add" and role not in ("superuser", "office", "other_office"):
            want = 403  # not office staff at all: the trust list is not theirs to touch
        response = client.post(url, data)
        assert response.status_code == want, (name, role, response.status_code)


@pytest.mark.parametrize("role", ["office", "other_office", "secretary", "superuser"])
def test_only_the_superuser_changes_the_shared_trust_list(client, world, pki, role):
    root = services.trust_root_add(organizer=None, data=pki.root.pem, actor=world.superuser)[0]
    client.force_login(world.users()[role])
    add = client.post(reverse("signing:trust_add"), {"label": "x"})
    remove = client.post(reverse("signing:trust_remove", args=[root.pk]))
    expected = 302 if role == "superuser" else 403
    assert (add.status_code, remove.status_code) == (expected, expected)
    assert TrustRoot.objects.get(pk=root.pk).active is (role != "superuser")


def test_an_organizer_root_is_removed_only_by_its_office_staff(client, world, pki):
    root = services.trust_root_add(
        organizer=world.organizer, data=pki.root.pem, actor=world.office
    )[0]
    client.force_login(world.other_office)
    assert client.post(reverse("signing:trust_remove", args=[root.pk])).status_code == 404
    client.force_login(world.office)
    assert client.post(reverse("signing:trust_remove", args=[root.pk])).status_code == 302
    assert not TrustRoot.objects.get(pk=root.pk).active


@pytest.mark.parametrize(
    "role,expected",
    {"office": 200, "secretary": 200, "delegate": 200, "superuser": 200, "nobody": 403}.items(),
)
def test_every_person_with_a_role_manages_their_own_signature_image(client, world, role, expected):
    client.force_login(world.users()[role])
    assert client.get(reverse("signing:my_signature")).status_code == expected


def test_a_signature_image_is_shown_to_its_owner_only(client, world):
    image = services.signature_image_upload(
        kind=SignatureImage.Kind.SIGNATURE, data=png(), width_mm=40, actor=world.delegate
    )
    url = reverse("signing:image", args=[image.pk])
    for role, expected in (("delegate", 200), ("office", 404), ("secretary", 404)):
        client.force_login(world.users()[role])
        response = client.get(url)
        assert response.status_code == expected, role
        if expected == 200:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content) == png()


def test_a_seal_image_is_shown_to_its_organizers_office_staff(client, world):
    seal = services.signature_image_upload(
        kind=SignatureImage.Kind.SEAL,
        data=png((220, 0, 0, 255), (300, 300), seal=True),
        width_mm=36,
        actor=world.office,
        organizer=world.organizer,
    )
    url = reverse("signing:image", args=[seal.pk])
    for role, expected in (("office", 200), ("other_office", 404), ("delegate", 404)):
        client.force_login(world.users()[role])
        response = client.get(url)
        assert response.status_code == expected, role
        if expected == 200:
            b"".join(response.streaming_content)
