"""The demo data: built from the five seed reports, and loading it twice doubles nothing."""

import io

from django.apps import apps
from django.core.management import call_command

from blocs.models import Bloc, BlocYear, LeadershipTerm, Organizer, Unit


def _row_counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("blocs", "meetings", "awards", "auth")
    }


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("load_demo", stdout=io.StringIO())
    first = _row_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _row_counts() == first
    # The five seed blocs, and the successor blocs of Hà Giang's and Sóc Trăng's.
    assert first["blocs.Bloc"] == 7
    assert first["blocs.OrganizerMerger"] == 5


def test_demo_holds_the_seed_facts(db):
    call_command("load_demo", stdout=io.StringIO())
    bn = Bloc.objects.get(organizer__code="bac-ninh", code="knc")
    assert bn.years.get(year=2023).memberships.count() == 8
    assert (
        LeadershipTerm.objects.get(
            bloc_year__bloc=bn, bloc_year__year=2023, role="leader"
        ).unit.name
        == "Thanh tra tỉnh"
    )
    assert (
        LeadershipTerm.objects.get(
            bloc_year__bloc=bn, bloc_year__year=2024, role="leader"
        ).unit.name
        == "Tòa án nhân dân tỉnh"
    )
    tw = BlocYear.objects.get(bloc__organizer__code="trung-uong", year=2024)
    leader, deputy = tw.terms.get(role="leader"), tw.terms.get(role="deputy")
    assert (leader.unit.short_name, deputy.unit.short_name) == ("TANDTC", "VKSNDTC")
    assert leader.method == "elected"
    tn = BlocYear.objects.get(bloc__organizer__code="tay-ninh", year=2022)
    assert tn.plan_reference == "Kế hoạch số 238/KH-KNC ngày 02/3/2022"
    st = BlocYear.objects.get(bloc__organizer__code="soc-trang", year=2024)
    assert st.memberships.count() == 6
    assert st.terms.get(role="deputy").unit.short_name == "BĐBP tỉnh"
    thads = Unit.objects.prefetch_related("former_names").get(
        organizer__code="bac-ninh", code="thads"
    )
    assert thads.name_in_year(2023) == "Cục Thi hành án dân sự tỉnh"
    assert thads.name_in_year(2025) == "Thi hành án dân sự tỉnh"


def test_demo_carries_the_2025_mergers_with_the_units_linked(db):
    call_command("load_demo", stdout=io.StringIO())
    hg = Organizer.objects.get(code="ha-giang")
    assert hg.merged_into.code == "tuyen-quang" and hg.merger.is_confirmed
    linked = {
        u.code: (u.merged_into.organizer.code, u.merged_into.code)
        for u in Unit.objects.filter(organizer=hg).select_related("merged_into__organizer")
    }
    assert len(linked) == 8
    assert all(org == "tuyen-quang" and code == old for old, (org, code) in linked.items())
    # The 2022 members (seed 003) are linked to their 2026 successors in the Tuyên Quang bloc.
    tq_2026 = BlocYear.objects.get(bloc__organizer__code="tuyen-quang", year=2026)
    hg_2022 = BlocYear.objects.get(bloc__organizer=hg, year=2022)
    successors = {m.unit.merged_into_id for m in hg_2022.memberships.select_related("unit")}
    assert successors == set(tq_2026.memberships.values_list("unit_id", flat=True))
    assert hg_2022.bloc.successions.get().successor == tq_2026.bloc
    for code in ("soc-trang", "hau-giang"):
        org = Organizer.objects.get(code=code)
        assert org.merged_into.code == "can-tho" and org.merger.is_confirmed
    assert (
        Unit.objects.filter(
            organizer__code="soc-trang", merged_into__organizer__code="can-tho"
        ).count()
        == 6
    )
    assert {
        o.code: o.merged_into.code
        for o in Organizer.objects.filter(code__in=["bac-giang", "long-an"])
    } == {
        "bac-giang": "bac-ninh",
        "long-an": "tay-ninh",
    }
