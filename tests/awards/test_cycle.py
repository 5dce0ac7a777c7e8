"""Covenant, registration and nominations: the yearly cycle before the vote."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import services
from awards.models import AwardQuota, Covenant, Nomination, Registration
from blocs.models import AuditEvent
from blocs.services import bloc_year_create
from tests.factories import UnitFactory

from .conftest import finish, make_scheme, self_assess

# --- covenant ---------------------------------------------------------------------------------


def _sign(covenant, unit, day=1):
    return services.covenant_sign(
        covenant=covenant,
        unit=unit,
        representative_name=f"Người ký {unit.pk}",
        representative_position="Thủ trưởng",
        signed_on=dt.date(2024, 2, day),
    )


def test_the_covenant_locks_when_every_member_has_signed(world):
    covenant = services.covenant_create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2024",
        plan_reference="Kế hoạch số 238/KH-KNC ngày 02/3/2024",
    )
    assert covenant.drafted_by_unit == world.units[0]  # the leader unit drafts
    services.covenant_target_add(
        covenant=covenant,
        text="Giải quyết 95% đơn thư",
        measurable=True,
        target_value=Decimal(95),
        measure_unit="%",
    )
    for unit in world.units[:-1]:
        _sign(covenant, unit)
        covenant.refresh_from_db()
        assert covenant.status == Covenant.Status.DRAFT
    _sign(covenant, world.units[-1])
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.LOCKED and covenant.locked_at is not None


def test_a_signed_covenant_cannot_be_edited_and_a_change_makes_a_new_version(world):
    covenant = services.covenant_create(bloc_year=world.bloc_year, title="Giao ước 2024")
    services.covenant_target_add(covenant=covenant, text="Chỉ tiêu 1")
    _sign(covenant, world.units[0])
    with pytest.raises(ValidationError, match="Đã có đơn vị ký"):
        services.covenant_update(covenant=covenant, title="Khác", plan_reference="", content="")
    with pytest.raises(ValidationError, match="Đã có đơn vị ký"):
        services.covenant_target_add(covenant=covenant, text="Chỉ tiêu 2")
    new = services.covenant_revise(covenant=covenant, change_note="Bổ sung chỉ tiêu 2")
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.SUPERSEDED and covenant.signatures.count() == 1
    assert (new.version, new.previous_id, new.status) == (2, covenant.pk, Covenant.Status.DRAFT)
    assert [t.text for t in new.targets.all()] == ["Chỉ tiêu 1"] and not new.signatures.exists()
    services.covenant_target_add(covenant=new, text="Chỉ tiêu 2")
    assert services.covenant_current(world.bloc_year) == new


def test_only_members_sign_and_only_once(world):
    covenant = services.covenant_create(bloc_year=world.bloc_year, title="Giao ước 2024")
    with pytest.raises(ValidationError, match="không phải thành viên"):
        _sign(covenant, UnitFactory(organizer=world.organizer))
    _sign(covenant, world.units[1])
    with pytest.raises(ValidationError, match="đã ký"):
        _sign(covenant, world.units[1])


def test_a_new_year_starts_from_a_copy_of_last_years_covenant(world):
    old = services.covenant_create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2024",
        content="Thi đua hoàn thành nhiệm vụ năm 2024",
    )
    services.covenant_target_add(covenant=old, text="Không có cán bộ vi phạm")
    later = bloc_year_create(bloc=world.bloc, year=2025)
    copy = services.covenant_copy_previous(bloc_year=later)
    assert copy.title == "Giao ước thi đua năm 2025"
    assert copy.content == "Thi đua hoàn thành nhiệm vụ năm 2025"
    assert [t.text for t in copy.targets.all()] == ["Không có cán bộ vi phạm"]
    assert copy.status == Covenant.Status.DRAFT and "năm 2024" in copy.change_note


def test_signing_through_the_form_names_the_representative(client, world):
    covenant = services.covenant_create(bloc_year=world.bloc_year, title="Giao ước 2024")
    client.force_login(world.delegate)
    page = client.get(reverse("awards:covenant", args=[world.bloc_year.pk])).content.decode()
    assert 'name="representative_name"' in page
    response = client.post(
        reverse("awards:covenant_sign", args=[covenant.pk]),
        {
            "unit": world.units[1].pk,
            "representative_name": "",
            "representative_position": "Chánh án",
            "signed_on": "2024-02-01",
        },
    )
    assert response.status_code == 422 and "This field is required" not in response.content.decode()
    response = client.post(
        reverse("awards:covenant_sign", args=[covenant.pk]),
        {
            "unit": world.units[1].pk,
            "representative_name": "Nguyễn Văn Hòa",
            "representative_position": "Chánh án",
            "signed_on": "2024-02-01",
        },
    )
    assert response.status_code == 302
    signature = covenant.signatures.get()
    assert (signature.unit, signature.representative_name) == (world.units[1], "Nguyễn Văn Hòa")


# --- registration -----------------------------------------------------------------------------


def test_a_unit_registers_titles_and_commitments_and_the_secretary_sees_who_has_not(
    client, world, co, bang_khen
):
    services.registration_save(
        bloc_year=world.bloc_year,
        unit=world.units[0],
        titles=[co, bang_khen],
        commitments="Hoàn thành xuất sắc nhiệm vụ",
    )
    client.force_login(world.delegate)
    response = client.post(
        reverse("awards:registrations", args=[world.bloc_year.pk]),
        {
            "unit": world.units[1].pk,
            "titles": [bang_khen.pk],
            "commitments": "Không có vi phạm",
            "registered_on": "2024-02-10",
        },
    )
    assert response.status_code == 302
    reg = Registration.objects.get(unit=world.units[1])
    assert list(reg.titles.all()) == [bang_khen] and reg.registered_on == dt.date(2024, 2, 10)
    client.force_login(world.secretary)
    page = client.get(reverse("awards:registrations", args=[world.bloc_year.pk])).content.decode()
    missing = page.split('id="missing"')[1].split("</p>")[0]
    assert "6 đơn vị chưa đăng ký" in missing
    assert world.units[2].name in missing and world.units[0].name not in missing


def test_registration_refuses_non_members_and_individual_titles(world, titles):
    with pytest.raises(ValidationError):
        services.registration_save(
            bloc_year=world.bloc_year,
            unit=UnitFactory(organizer=world.organizer),
            titles=[titles["co-thi-dua-ubnd-tinh"]],
            commitments="x",
        )
    from awards.models import AwardTitle

    personal = AwardTitle.objects.create(
        code="ca-nhan", name="Chiến sĩ thi đua", recipient="individual"
    )
    with pytest.raises(ValidationError, match="Không đăng ký được"):
        services.registration_save(
            bloc_year=world.bloc_year, unit=world.units[0], titles=[personal], commitments=""
        )


# --- nominations ------------------------------------------------------------------------------


def _ranked_year(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    for i, sheet in enumerate(sorted(scheme.sheets.all(), key=lambda s: s.unit_id)):
        finish(self_assess(sheet, default=Decimal(25 - i)))  # units[0] first, units[7] last
    services.scoring_lock(bloc_year=world.bloc_year)


def test_nominations_come_from_the_ranking_and_the_eligibility_rule(world, co, bang_khen):
    _ranked_year(world)
    services.registration_save(
        bloc_year=world.bloc_year, unit=world.units[1], titles=[co], commitments=""
    )
    services.registration_save(
        bloc_year=world.bloc_year, unit=world.units[3], titles=[co], commitments=""
    )
    services.quota_set(
        bloc_year=world.bloc_year,
        award_title=co,
        max_count=1,
        eligibility=AwardQuota.Eligibility.REGISTERED_TOP_N,
        top_n=3,
    )
    services.quota_set(
        bloc_year=world.bloc_year,
        award_title=bang_khen,
        max_count=2,
        eligibility=AwardQuota.Eligibility.TOP_N,
        top_n=3,
    )
    services.nominations_generate(bloc_year=world.bloc_year, award_title=co)
    services.nominations_generate(bloc_year=world.bloc_year, award_title=bang_khen)
    flag = services.nominations_for_poll(bloc_year=world.bloc_year, award_title=co)
    assert [(n.unit, n.rank) for n in flag] == [(world.units[1], 2)]  # registered and in the top 3
    assert "hạng 2" in flag[0].source
    merit = services.nominations_for_poll(bloc_year=world.bloc_year, award_title=bang_khen)
    assert [n.unit for n in merit] == world.units[:3]


def test_ranking_based_eligibility_needs_a_locked_result(world, co):
    make_scheme(world.bloc_year, open_=True)
    services.quota_set(
        bloc_year=world.bloc_year,
        award_title=co,
        max_count=1,
        eligibility=AwardQuota.Eligibility.TOP_N,
        top_n=1,
    )
    with pytest.raises(ValidationError, match="cần khóa kết quả chấm điểm"):
        services.nominations_generate(bloc_year=world.bloc_year, award_title=co)


def test_the_secretary_edits_nominations_with_a_recorded_reason(client, world, co):
    _ranked_year(world)
    services.quota_set(
        bloc_year=world.bloc_year,
        award_title=co,
        max_count=1,
        eligibility=AwardQuota.Eligibility.TOP_N,
        top_n=2,
    )
    services.nominations_generate(bloc_year=world.bloc_year, award_title=co)
    first = Nomination.objects.get(unit=world.units[0])
    client.force_login(world.secretary)
    url = reverse("awards:nomination_withdraw", args=[world.bloc_year.pk, first.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert (
        client.post(url, {"reason": "Đơn vị đang bị thanh tra (NĐ 152/2025 Điều 4)"}).status_code
        == 302
    )
    response = client.post(
        reverse("awards:nomination_add", args=[world.bloc_year.pk]),
        {"award_title": co.pk, "unit": world.units[5].pk, "reason": ""},
    )
    assert response.status_code == 422
    client.post(
        reverse("awards:nomination_add", args=[world.bloc_year.pk]),
        {"award_title": co.pk, "unit": world.units[5].pk, "reason": "Thành tích đột xuất"},
    )
    assert [
        n.unit for n in services.nominations_for_poll(bloc_year=world.bloc_year, award_title=co)
    ] == [world.units[1], world.units[5]]
    reasons = set(
        AuditEvent.objects.filter(action__startswith="nomination.").values_list(
            "data__reason", flat=True
        )
    )
    assert {"Đơn vị đang bị thanh tra (NĐ 152/2025 Điều 4)", "Thành tích đột xuất"} <= reasons
    page = client.get(reverse("awards:year_awards", args=[world.bloc_year.pk])).content.decode()
    assert "Đơn vị đang bị thanh tra" in page


def test_quota_form_shows_a_clean_error(client, world, co):
    for unit in world.units[:2]:
        services.award_create(bloc_year=world.bloc_year, award_title=co, unit=unit)
    client.force_login(world.office)
    response = client.post(
        reverse("awards:quota_set", args=[world.bloc_year.pk]),
        {"award_title": co.pk, "max_count": 1, "eligibility": "any"},
    )
    assert response.status_code == 422
    assert "Đã có 2 tập thể được đề nghị/tặng" in response.content.decode()
    assert not AwardQuota.objects.exists()


def test_proposing_over_the_quota_through_the_form_is_refused_with_a_message(client, world, co):
    services.quota_set(bloc_year=world.bloc_year, award_title=co, max_count=1)
    services.award_create(bloc_year=world.bloc_year, award_title=co, unit=world.units[0])
    client.force_login(world.office)
    response = client.post(
        reverse("awards:award_create", args=[world.bloc_year.pk]),
        {"award_title": co.pk, "unit": world.units[1].pk},
    )
    assert response.status_code == 422
    assert "Vượt chỉ tiêu" in response.content.decode()
