"""The demo data: seed results recorded, honest totals, idempotent."""

import datetime as dt

import pytest
from django.core.management import call_command

from awards.models import Award, AwardTally, AwardTitle, Covenant, Criterion


def _award_rows():
    return sorted(
        Award.objects.values_list(
            "bloc_year__bloc__organizer__code",
            "year",
            "award_title__code",
            "unit__code",
            "person_name",
            "collective_name",
        )
    )


@pytest.mark.django_db
def test_the_demo_records_the_seed_results_and_loads_twice_without_doubling(capsys):
    call_command("load_demo")
    first = _award_rows()
    counts = (
        AwardTitle.objects.count(),
        AwardTally.objects.count(),
        Covenant.objects.count(),
        Criterion.objects.count(),
    )
    call_command("load_demo")
    assert _award_rows() == first
    assert counts == (
        AwardTitle.objects.count(),
        AwardTally.objects.count(),
        Covenant.objects.count(),
        Criterion.objects.count(),
    )
    collective = {(o, y, t, u) for o, y, t, u, p, c in first if not p and not c}
    assert {
        ("tay-ninh", 2022, "co-thi-dua-ubnd-tinh", "vksnd"),
        ("tay-ninh", 2022, "bang-khen-chu-tich-ubnd-tinh", "cong-an"),
        ("tay-ninh", 2022, "bang-khen-chu-tich-ubnd-tinh", "bchqs"),
        ("trung-uong", 2023, "co-thi-dua-chinh-phu", "ktnn"),
        ("trung-uong", 2023, "co-thi-dua-chinh-phu", "bqp"),
        ("trung-uong", 2023, "bang-khen-thu-tuong", "tandtc"),
        ("trung-uong", 2023, "bang-khen-thu-tuong", "bca"),
    } <= collective
    tally = AwardTally.objects.get(bloc_year__bloc__organizer__code="ha-giang")
    assert (tally.collectives, tally.individuals) == (31, 60)
    assert tally.announced_on == dt.date(2022, 7, 13)  # conferred at the 13/7/2022 meeting
    # The report names exemplary units and people, not the 91 awardees: no award invented.
    assert not Award.objects.filter(bloc_year__bloc__organizer__code="ha-giang").exists()
    assert not Award.objects.filter(
        status=Award.Status.FINAL
    ).exists()  # no report gives a decision number
    for code in (
        "co-thi-dua-chinh-phu",
        "bang-khen-thu-tuong",
        "co-thi-dua-ubnd-tinh",
        "bang-khen-chu-tich-ubnd-tinh",
        "tap-the-lao-dong-xuat-sac",
        "tap-the-lao-dong-tien-tien",
    ):
        title = AwardTitle.objects.get(code=code)
        assert title.legal_basis and title.prize_coefficient and title.organizer_id is None
    assert AwardTitle.objects.filter(organizer__code="trung-uong").exists()
    assert "daibieu.congan.bacninh" in capsys.readouterr().out
