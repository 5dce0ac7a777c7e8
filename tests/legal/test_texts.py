"""Legal basis as dated records: a document cites what was in force on its own date."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from legal import services
from legal.models import LegalText
from legal.texts import citations_on, in_force

pytestmark = pytest.mark.django_db


def _numbers(day, **kw):
    return [t.number for t in in_force(day, **kw)]


def test_a_document_of_january_2023_cites_the_2003_law_decree_91_and_circular_12():
    assert _numbers(dt.date(2023, 1, 9)) == [
        "15/2003/QH11",
        "47/2005/QH11",
        "39/2013/QH13",
        "91/2017/NĐ-CP",
        "12/2019/TT-BNV",
    ]


def test_a_document_of_april_2024_cites_the_2022_law_decree_98_and_circular_01():
    assert _numbers(dt.date(2024, 4, 10)) == ["06/2022/QH15", "98/2023/NĐ-CP", "01/2024/TT-BNV"]


def test_the_last_day_of_a_text_still_cites_it_and_the_next_day_cites_its_successor():
    assert "98/2023/NĐ-CP" in _numbers(dt.date(2025, 6, 30))
    assert "152/2025/NĐ-CP" not in _numbers(dt.date(2025, 6, 30))
    assert _numbers(dt.date(2025, 7, 1))[:2] == ["06/2022/QH15", "152/2025/NĐ-CP"]


def test_a_document_of_december_2025_cites_decree_152_and_circular_15():
    assert _numbers(dt.date(2025, 12, 5)) == ["06/2022/QH15", "152/2025/NĐ-CP", "15/2025/TT-BNV"]


def test_the_2022_law_is_never_cited_before_it_took_effect():
    for day in (dt.date(2022, 6, 15), dt.date(2023, 1, 9), dt.date(2023, 12, 31)):
        assert "06/2022/QH15" not in _numbers(day)


def test_citations_read_the_way_a_document_writes_them():
    cites = citations_on(dt.date(2025, 12, 5))
    assert cites[0] == "Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022"
    assert cites[1].startswith(
        "Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định về phân cấp"
    )
    assert cites[2].startswith(
        "Thông tư số 15/2025/TT-BNV ngày 04 tháng 8 năm 2025 của Bộ trưởng Bộ Nội vụ"
    )


def test_a_text_whose_date_was_not_verified_is_cited_without_a_date():
    text = LegalText.objects.get(number="01/2024/TT-BNV")
    assert text.signed_on is None
    assert text.citation == (
        "Thông tư số 01/2024/TT-BNV của Bộ trưởng Bộ Nội vụ quy định biện pháp thi hành Luật "
        "Thi đua, khen thưởng"
    )


def test_every_shipped_text_says_where_its_dates_were_checked():
    for text in LegalText.objects.filter(organizer__isnull=True):
        assert len(text.source) > 30, text.number


def test_the_shipped_periods_of_one_kind_never_overlap():
    texts = list(LegalText.objects.filter(organizer__isnull=True, kind__in=["decree", "circular"]))
    for a in texts:
        for b in texts:
            if a.pk < b.pk and a.kind == b.kind:
                a_end = a.effective_until or dt.date.max
                b_end = b.effective_until or dt.date.max
                assert a_end < b.effective_from or b_end < a.effective_from, (a, b)


def test_a_new_text_that_replaces_one_ends_the_old_one_the_day_before(world):
    old = LegalText.objects.get(number="152/2025/NĐ-CP")
    new = services.legal_text_add(
        kind="decree",
        number="99/2027/NĐ-CP",
        title="quy định chi tiết thi hành Luật Thi đua, khen thưởng",
        issuer="Chính phủ",
        signed_on=dt.date(2027, 5, 1),
        effective_from=dt.date(2027, 7, 1),
        position=20,
        source="Công báo",
        replaces=old,
        actor=world.superuser,
    )
    old.refresh_from_db()
    assert old.effective_until == dt.date(2027, 6, 30)
    assert new.replaces == old
    assert "152/2025/NĐ-CP" in _numbers(dt.date(2027, 6, 30))
    assert "99/2027/NĐ-CP" in _numbers(dt.date(2027, 7, 1))
    assert "152/2025/NĐ-CP" not in _numbers(dt.date(2027, 7, 1))


def test_a_replacement_that_takes_effect_before_the_old_text_is_refused():
    old = LegalText.objects.get(number="152/2025/NĐ-CP")
    with pytest.raises(ValidationError, match="sau ngày văn bản mới có hiệu lực"):
        services.legal_text_add(
            kind="decree",
            number="1/2025/NĐ-CP",
            title="x",
            issuer="Chính phủ",
            effective_from=dt.date(2025, 1, 1),
            replaces=old,
        )
    old.refresh_from_db()
    assert old.effective_until is None
    assert not LegalText.objects.filter(number="1/2025/NĐ-CP").exists()


def test_a_number_already_shipped_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="Đã có văn bản áp dụng toàn quốc mang số này"):
        services.legal_text_add(
            kind="law",
            number="06/2022/QH15",
            title="Luật Thi đua, khen thưởng",
            issuer="Quốc hội",
            effective_from=dt.date(2024, 1, 1),
        )


def test_a_province_text_is_cited_only_by_that_provinces_documents(world):
    services.legal_text_add(
        kind="decision",
        number="86/2025/QĐ-UBND",
        title="ban hành Quy chế công tác thi đua, khen thưởng",
        issuer="UBND tỉnh Bắc Ninh",
        effective_from=dt.date(2025, 9, 1),
        organizer_id=world.organizer.pk,
        position=40,
    )
    day = dt.date(2025, 12, 5)
    assert _numbers(day, organizer=world.organizer)[-1] == "86/2025/QĐ-UBND"
    assert "86/2025/QĐ-UBND" not in _numbers(day, organizer=world.other_organizer)
    assert "86/2025/QĐ-UBND" not in _numbers(day)
