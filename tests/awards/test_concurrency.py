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
