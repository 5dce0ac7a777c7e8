"""Two offices proposing at the same moment cannot both take the last quota place (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from awards import services
from awards.catalog import ensure_catalog
from awards.models import Award, AwardTitle

pytestmark = [pytest.mark.postgres]


def test_concurrent_proposals_never_exceed_the_quota(world, transactional_db):
    ensure_catalog()
    title = AwardTitle.objects.get(code="co-thi-dua-ubnd-tinh")
    services.quota_set(bloc_year=world.bloc_year, award_title=title, max_count=1)
    barrier = threading.Barrier(4)
    outcomes = []

    def propose(unit):
        barrier.wait()
        try:
            services.award_create(bloc_year=world.bloc_year, award_title=title, unit=unit)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=propose, args=(u,)) for u in world.units[:4]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert all("Vượt chỉ tiêu" in o for o in outcomes if o != "ok")
    assert Award.objects.filter(award_title=title).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_identical_nominations_create_one_and_refuse_the_other():
    from awards.models import Nomination
    from tests.factories import make_bloc_year

    ensure_catalog()
    bloc_year = make_bloc_year(4)
    unit = bloc_year.memberships.first().unit
    title = AwardTitle.objects.filter(recipient__in=["collective", "both"]).first()
    barrier = threading.Barrier(2)
    outcomes = []

    def add():
        try:
            barrier.wait()
            services.nomination_add(
                bloc_year=bloc_year, award_title=title, unit=unit, reason="Bổ sung"
            )
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "Đã có trong danh sách đề cử."]
    assert Nomination.objects.filter(bloc_year=bloc_year, award_title=title, unit=unit).count() == 1
