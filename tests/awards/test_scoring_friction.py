"""Scoring without friction (issue 13): every reviewed sheet is locked in one step, «Nộp» saves
what was typed, and the penalty field says it takes a negative number."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import services
from awards.models import Criterion, Score, ScoreSheet, ScoringScheme
from blocs.models import AuditEvent

from .conftest import leaves, make_scheme, self_assess


def _reviewed(sheet):
    services.sheet_review(sheet=self_assess(sheet), entries={})
    return sheet


def test_the_secretary_locks_every_reviewed_sheet_with_one_button(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheets = list(scheme.sheets.order_by("unit__name"))
    for sheet in sheets[:5]:
        _reviewed(sheet)
    self_assess(sheets[5])  # submitted, not reviewed
    client.force_login(world.secretary)
    page = client.get(reverse("awards:scoring", args=[world.bloc_year.pk])).text
    assert "Khóa 5 phiếu đã thẩm định" in page

    url = reverse("awards:scoring_action", args=[world.bloc_year.pk, "lock-reviewed"])
    response = client.post(url, follow=True)
    assert "Đã khóa 5 phiếu đã thẩm định." in response.text
    statuses = list(ScoreSheet.objects.filter(scheme=scheme).values_list("status", flat=True))
    assert statuses.count(ScoreSheet.Status.LOCKED) == 5
    assert statuses.count(ScoreSheet.Status.SUBMITTED) == 1
    assert AuditEvent.objects.filter(action="scoring.lock").count() == 5
    assert (
        "phiếu đã thẩm định</button>"
        not in client.get(reverse("awards:scoring", args=[world.bloc_year.pk])).text
    )


def test_a_delegate_cannot_lock_the_sheets(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    _reviewed(scheme.sheets.get(unit=world.units[1]))
    client.force_login(world.delegate)
    url = reverse("awards:scoring_action", args=[world.bloc_year.pk, "lock-reviewed"])
    assert client.post(url).status_code == 403
    assert not ScoreSheet.objects.filter(status=ScoreSheet.Status.LOCKED).exists()


def test_locking_the_result_locks_the_reviewed_sheets_too_or_changes_nothing(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheets = list(scheme.sheets.order_by("unit__name"))
    for sheet in sheets[:-1]:
        _reviewed(sheet)
    self_assess(sheets[-1])
    with pytest.raises(ValidationError, match=sheets[-1].unit.name):
        services.scoring_lock(bloc_year=world.bloc_year)
    assert not ScoreSheet.objects.filter(status=ScoreSheet.Status.LOCKED).exists()
    assert ScoringScheme.objects.get(pk=scheme.pk).phase == ScoringScheme.Phase.OPEN

    services.sheet_review(sheet=sheets[-1], entries={})
    services.scoring_lock(bloc_year=world.bloc_year)
    assert set(ScoreSheet.objects.values_list("status", flat=True)) == {ScoreSheet.Status.LOCKED}
    assert ScoringScheme.objects.get(pk=scheme.pk).phase == ScoringScheme.Phase.LOCKED


def _typed(scheme, value="20"):
    data = {"mode": "self"}
    for c in leaves(scheme):
        data[f"v{c.pk}"] = (
            "0" if c.kind in (Criterion.Kind.BONUS, Criterion.Kind.PENALTY) else value
        )
        data[f"e{c.pk}"] = "Báo cáo 7/BC"
    return data


def test_submitting_from_the_sheet_saves_what_was_typed_and_submits(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    client.force_login(world.delegate)
    page = client.get(reverse("awards:sheet_detail", args=[sheet.pk])).text
    submit = reverse("awards:sheet_action", args=[sheet.pk, "submit"])
    assert f'formaction="{submit}"' in page  # the submit button belongs to the typing form

    response = client.post(submit, _typed(scheme, "21.5"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    first = Score.objects.get(sheet=sheet, criterion=leaves(scheme)[0])
    assert (first.self_value, first.evidence) == (Decimal("21.5"), "Báo cáo 7/BC")


def test_an_incomplete_sheet_keeps_what_was_typed_and_says_why_it_was_not_submitted(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    client.force_login(world.delegate)
    data = _typed(scheme)
    data[f"v{leaves(scheme)[1].pk}"] = ""
    response = client.post(reverse("awards:sheet_action", args=[sheet.pk, "submit"]), data)
    assert response.status_code == 422
    assert "Đã lưu điểm vừa nhập, nhưng chưa nộp được: Còn 1 tiêu chí chưa tự chấm." in (
        response.text
    )
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT
    assert Score.objects.get(sheet=sheet, criterion=leaves(scheme)[0]).self_value == 20


def test_a_bad_value_on_submit_saves_nothing_and_submits_nothing(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    client.force_login(world.delegate)
    data = _typed(scheme)
    data[f"v{leaves(scheme)[0].pk}"] = "99"
    response = client.post(reverse("awards:sheet_action", args=[sheet.pk, "submit"]), data)
    assert response.status_code == 422
    assert "vượt quá điểm tối đa (25)" in response.text
    assert not Score.objects.filter(sheet=sheet, self_value__isnull=False).exists()
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.DRAFT


def test_another_units_delegate_cannot_submit_or_save_through_submit(client, world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[2])
    client.force_login(world.delegate)
    response = client.post(
        reverse("awards:sheet_action", args=[sheet.pk, "submit"]), _typed(scheme)
    )
    assert response.status_code == 403
    assert not Score.objects.filter(sheet=sheet, self_value__isnull=False).exists()


def test_the_penalty_field_says_it_takes_a_negative_number_and_a_positive_one_is_explained(
    client, world
):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    penalty = scheme.criteria.get(kind=Criterion.Kind.PENALTY)
    client.force_login(world.delegate)
    url = reverse("awards:sheet_detail", args=[sheet.pk])
    page = client.get(url).text
    assert "Điểm trừ: số âm, từ −5 đến 0" in page
    assert "Điểm cộng: từ 0 đến 15" in page
    assert "Điểm (tối đa 25)" in page
    response = client.post(url, {"mode": "self", f"v{penalty.pk}": "2"})
    assert response.status_code == 422
    assert "X.2 là điểm trừ: nhập số âm, từ -5 đến 0 (ví dụ −1)." in response.text
    response = client.post(url, {"mode": "self", f"v{penalty.pk}": "-2"})
    assert response.status_code == 302
    assert Score.objects.get(sheet=sheet, criterion=penalty).self_value == Decimal(-2)
