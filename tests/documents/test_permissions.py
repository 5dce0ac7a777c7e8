"""View × role matrix for documents. Office staff of the organizer and the bloc's secretary may
finalize and upload; delegates of member units may view and download; everyone else gets 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import DocumentVersion

VIEWERS = {
    "superuser": 200,
    "office": 200,
    "secretary": 200,
    "delegate": 200,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}
RUNNERS = {
    "superuser": 302,
    "office": 302,
    "secretary": 302,
    "delegate": 403,
    "other_office": 404,
    "outsider": 404,
    "nobody": 404,
}


@pytest.fixture
def locked(meeting, world):
    return services.document_finalize(kind="minutes", subject=meeting, actor=world.office)


def _get_urls(world, meeting, locked):
    return {
        "documents:bloc_year_documents": reverse(
            "documents:bloc_year_documents", args=[world.bloc_year.pk]
        ),
        "documents:meeting_documents": reverse("documents:meeting_documents", args=[meeting.pk]),
        "documents:draft_preview": reverse(
            "documents:draft_preview", args=["report", world.bloc_year.pk]
        ),
        "documents:draft_pdf": reverse(
            "documents:draft_pdf", args=["covenant", world.bloc_year.pk]
        ),
        "documents:draft_docx": reverse(
            "documents:draft_docx", args=["proposal", world.bloc_year.pk]
        ),
        "documents:version_detail": reverse("documents:version_detail", args=[locked.pk]),
        "documents:version_preview": reverse("documents:version_preview", args=[locked.pk]),
        "documents:version_pdf": reverse("documents:version_pdf", args=[locked.pk]),
        "documents:version_docx": reverse("documents:version_docx", args=[locked.pk]),
    }


@pytest.mark.parametrize("role,expected", VIEWERS.items())
def test_only_people_of_the_bloc_may_see_its_documents(
    client, world, meeting, locked, role, expected
):
    client.force_login(world.users()[role])
    for name, url in _get_urls(world, meeting, locked).items():
        response = client.get(url)
        assert response.status_code == expected, (name, role, response.status_code)


def test_anonymous_visitors_are_sent_to_the_login_page(client, world, meeting, locked):
    for name, url in _get_urls(world, meeting, locked).items():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], name


@pytest.mark.parametrize("role,expected", RUNNERS.items())
def test_only_office_staff_and_the_secretary_may_finalize(client, world, meeting, role, expected):
    client.force_login(world.users()[role])
    confirm = client.get(reverse("documents:finalize_confirm", args=["minutes", meeting.pk]))
    assert confirm.status_code == (200 if expected == 302 else expected)
    if expected == 302:
        assert "Văn bản sẽ được cấp số 01/BB-" in confirm.content.decode()
    response = client.post(
        reverse("documents:finalize", args=["minutes", meeting.pk]), {"number": 1}
    )
    assert response.status_code == expected
    assert DocumentVersion.objects.filter(kind="minutes").count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize("role,expected", RUNNERS.items())
def test_only_office_staff_and_the_secretary_may_attach_a_scan(
    client, world, locked, role, expected, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users()[role])
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(
        reverse("documents:version_scan_upload", args=[locked.pk]), {"scan": scan}
    )
    assert response.status_code == expected
    assert bool(DocumentVersion.objects.get(pk=locked.pk).scan) == (expected == 302)


@pytest.mark.parametrize("role,expected", VIEWERS.items())
def test_the_signed_scan_downloads_only_for_people_of_the_bloc(
    client, world, locked, role, expected, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.document_attach_scan(
        version=locked,
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4 ky", content_type="application/pdf"),
    )
    client.force_login(world.users()[role])
    response = client.get(reverse("documents:version_scan", args=[locked.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
        assert (
            b"".join(response.streaming_content) == b"%PDF-1.4 ky"
        )  # consuming it closes the file


def test_the_verification_pages_are_public_and_show_only_the_paper_facts(client, locked):
    assert client.get(reverse("documents:verify")).status_code == 200
    response = client.get(reverse("documents:verify_hash", args=[locked.fingerprint]))
    assert response.status_code == 200
    assert locked.number_label in response.content.decode()
    assert client.get(reverse("documents:verify_hash", args=[locked.pdf_sha256])).status_code == 200
    assert client.get(reverse("documents:verify_hash", args=["0" * 64])).status_code == 404
    assert client.get(reverse("documents:verify"), {"hash": locked.fingerprint}).status_code == 302


@pytest.mark.parametrize("role,expected", VIEWERS.items())
def test_the_docx_of_each_document_downloads_only_for_people_of_the_bloc(
    client, world, meeting, role, expected
):
    from meetings.models import Poll

    poll = Poll.objects.create(
        meeting=meeting, kind=Poll.Kind.MOTION, title="Thông qua chương trình công tác"
    )
    subjects = {
        "invitation": meeting.pk,
        "minutes": meeting.pk,
        "count_minutes": poll.pk,
        "covenant": world.bloc_year.pk,
        "report": world.bloc_year.pk,
        "proposal": world.bloc_year.pk,
    }
    client.force_login(world.users()[role])
    for kind, pk in subjects.items():
        response = client.get(reverse("documents:draft_docx", args=[kind, pk]))
        assert response.status_code == expected, (kind, role, response.status_code)
        if expected == 200:
            assert response["Content-Type"].endswith("wordprocessingml.document")
    # The other province's year: only its own people (and the superuser) get its DOCX.
    other = client.get(reverse("documents:draft_docx", args=["report", world.other_bloc_year.pk]))
    own = role in ("superuser", "other_office", "outsider")
    assert other.status_code == (200 if own else 404)


def test_a_version_locked_in_an_older_snapshot_layout_says_to_use_its_pdf(client, world, locked):
    """A version locked before its type had a DOCX may lack keys the DOCX writer reads: the
    page says so (404 with a reason), never a server error."""
    snapshot = dict(locked.snapshot)
    del snapshot["recipients"]
    DocumentVersion.objects.filter(pk=locked.pk).update(snapshot=snapshot)
    client.force_login(world.office)
    response = client.get(reverse("documents:version_docx", args=[locked.pk]))
    assert response.status_code == 404


def test_document_and_signing_pages_refuse_a_delegate_through_the_one_run_helper(
    client, world, meeting, locked
):
    import documents.views
    import signing.views
    from documents.access import get_version_for_user

    assert documents.views.get_version_for_user is get_version_for_user
    assert signing.views.get_version_for_user is get_version_for_user
    refusal = "Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc thư ký khối được thực hiện."
    requests = [
        ("get", reverse("documents:finalize_confirm", args=["minutes", meeting.pk])),
        ("post", reverse("documents:finalize", args=["minutes", meeting.pk])),
        ("post", reverse("documents:version_scan_upload", args=[locked.pk])),
        ("post", reverse("signing:upload", args=[locked.pk])),
        ("post", reverse("signing:sign", args=[locked.pk])),
        ("post", reverse("signing:reverify", args=[locked.pk])),
    ]
    client.force_login(world.delegate)
    for method, url in requests:
        response = getattr(client, method)(url)
        assert (response.status_code, refusal in response.content.decode()) == (403, True), url
    assert DocumentVersion.objects.count() == 1
    # who cannot see the bloc at all still gets 404; who may see it still sees the version
    client.force_login(world.outsider)
    assert client.post(requests[2][1]).status_code == 404
    assert client.get(requests[0][1]).status_code == 404
    client.force_login(world.delegate)
    assert client.get(reverse("documents:version_detail", args=[locked.pk])).status_code == 200
    client.force_login(world.secretary)
    assert client.get(requests[0][1]).status_code == 200
