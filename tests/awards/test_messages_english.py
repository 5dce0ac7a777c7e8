"""Service refusals and report labels are gettext-marked: an English reader gets English."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from awards import services
from awards.models import Deadline
from awards.reports import deadlines_for

from .conftest import leaves, make_scheme, self_assess


def test_a_sheet_refusal_reads_in_the_users_language(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = self_assess(scheme.sheets.get(unit=world.units[1]))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.sheet_self_assess(sheet=sheet, entries={}, actor=world.delegate)
    assert exc.value.messages == [
        "The sheet has been submitted; the self-assessment can no longer be changed."
    ]
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.sheet_self_assess(sheet=sheet, entries={}, actor=world.delegate)
    assert exc.value.messages == ["Phiếu đã nộp; không thể sửa điểm tự chấm."]


def test_a_score_out_of_range_is_one_english_sentence_with_the_criterion_and_maximum(world):
    scheme = make_scheme(world.bloc_year, open_=True)
    sheet = scheme.sheets.get(unit=world.units[1])
    first = leaves(scheme)[0]
    entries = {first.pk: {"value": Decimal(30)}}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.sheet_self_assess(sheet=sheet, entries=entries)
    assert exc.value.messages == ["The score for criterion 1.1 exceeds the maximum (25)."]
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.sheet_self_assess(sheet=sheet, entries=entries)
    assert exc.value.messages == ["Điểm tiêu chí 1.1 vượt quá điểm tối đa (25)."]


def test_the_default_proposal_deadline_names_its_basis_in_the_users_language(world):
    def basis():
        (proposal,) = [d for d in deadlines_for(world.bloc_year) if d.kind == "proposal"]
        return proposal.basis

    assert not Deadline.objects.filter(bloc_year=world.bloc_year).exists()
    with translation.override("en"):
        assert basis() == "The organizer's default"
    with translation.override("vi"):
        assert basis() == "Mặc định của cơ quan tổ chức"
