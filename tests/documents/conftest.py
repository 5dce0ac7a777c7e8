import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Meeting


@pytest.fixture
def meeting(world):
    units = world.units
    return Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind="yearend",
        title="Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 12, 5, 8, 0)),
        ends_at=timezone.make_aware(dt.datetime(2024, 12, 5, 11, 30)),
        place="Hội trường Tòa án nhân dân tỉnh",
        host_unit=units[0],
        chairs="Nguyễn Văn Hùng, Chánh án Tòa án nhân dân tỉnh",
        secretary_name="Lê Thị Mai, Chánh Văn phòng Tòa án nhân dân tỉnh",
    )
