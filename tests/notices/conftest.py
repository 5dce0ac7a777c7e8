import datetime as dt
import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from documents.models import DocumentVersion, Kind
from meetings import services as meeting_services
from tests.factories import UserFactory, grant
from tests.smtp import dead_smtp_port, smtp  # noqa: F401 - fixtures


def finalized_invitation(meeting, *, number: int = 7) -> DocumentVersion:
    """A finalized Giấy mời of the meeting, as the documents app stores it."""
    from weasyprint import HTML

    pdf = HTML(string=f"<h1>GIẤY MỜI</h1><p>{meeting.title}</p>").write_pdf()
    return DocumentVersion.objects.create(
        kind=Kind.INVITATION,
        bloc_year=meeting.bloc_year,
        subject_type=ContentType.objects.get_for_model(meeting),
        subject_id=meeting.pk,
        version=1,
        symbol="GM-KTĐ",
        number=number,
        issued_on=dt.date(2026, 11, 30),
        title=f"Giấy mời dự {meeting.title}",
        snapshot={"title": meeting.title},
        fingerprint=hashlib.sha256(meeting.title.encode()).hexdigest(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        verify_url="http://testserver/verify/x",
    )


@pytest.fixture
def meeting(world):
    return meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết năm 2024 của Khối thi đua các cơ quan Nội chính",
        starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
        ends_at=timezone.make_aware(dt.datetime(2024, 12, 5, 11, 30)),
        place="Hội trường tầng 3, Tòa án nhân dân tỉnh",
    )


@pytest.fixture
def delegates(world):
    """Delegates with email for the first three member units (units[1] has world.delegate)."""
    users = []
    for i, unit in enumerate(world.units[:3]):
        user = UserFactory(
            username=f"db{i}", email=f"db{i}@donvi.gov.vn", first_name=f"Đại biểu {i}"
        )
        grant(user, "delegate", unit)
        users.append(user)
    return users
