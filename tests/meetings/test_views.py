"""The pages as a user uses them: real forms, htmx partials, CSRF, constant query counts."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from blocs.services import unit_rename
from meetings import services
from meetings.models import Attendance, Ballot, Guest, Meeting, Poll, SealedBallot, VoteCast

from .conftest import codes, make_meeting, make_poll, mark_present


def test_secretary_creates_a_meeting_with_the_form(client, world):
    client.force_login(world.secretary)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    response = client.post(
        url,
        {
            "kind": "yearend",
            "title": "Hội nghị tổng kết năm 2024",
            "starts_at": "2024-11-21T08:00",
            "place": "Hội trường Thanh tra tỉnh",
            "host_unit": world.units[0].pk,
            "chairs": "Đồng chí A – Chánh Thanh tra tỉnh\nĐồng chí B – Chánh án",
            "secretary_name": "Đồng chí C",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:meeting_detail", args=[meeting.pk]
    )
    assert meeting.chair_lines == ["Đồng chí A – Chánh Thanh tra tỉnh", "Đồng chí B – Chánh án"]
    assert meeting.attendances.count() == 8
    page = client.get(response["Location"]).content.decode()
    assert "21/11/2024" in page and "Đồng chí B – Chánh án" in page


def test_meeting_form_rejects_end_before_start_and_saves_nothing(client, world):
    client.force_login(world.office)
    url = reverse("meetings:meeting_create", args=[world.bloc_year.pk])
    response = client.post(
        url,
        {
            "kind": "yearend",
            "title": "X",
            "starts_at": "2024-11-21T08:00",
            "ends_at": "2024-11-21T07:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Thời gian kết thúc phải sau thời gian bắt đầu" in response.content.decode()
    assert "<html" not in response.content.decode()  # the htmx partial only
    assert not Meeting.objects.exists()


def test_host_unit_must_be_a_member_of_the_bloc(client, world):
    client.force_login(world.office)
    other_unit = world.other_bloc_year.memberships.first().unit
    response = client.post(
        reverse("meetings:meeting_create", args=[world.bloc_year.pk]),
        {
            "kind": "midyear",
            "title": "Sơ kết",
            "starts_at": "2024-07-11T14:00",
            "host_unit": other_unit.pk,
        },
    )
    assert response.status_code == 422 and not Meeting.objects.exists()


def test_guests_and_agenda_are_added_and_shown(client, world, meeting):
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:guest_add", args=[meeting.pk]),
        {
            "name": "Nguyễn Hương Giang",
            "position": "Chủ tịch UBND tỉnh",
            "organisation": "UBND tỉnh Bắc Ninh",
        },
    )
    client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"title": "Báo cáo tổng kết", "duration_minutes": 30, "speaker": "Khối trưởng"},
    )
    item = meeting.agenda_items.get()
    client.post(
        reverse("meetings:agenda_edit", args=[meeting.pk, item.pk]),
        {
            "title": "Báo cáo tổng kết",
            "duration_minutes": 30,
            "speaker": "Khối trưởng",
            "conclusion": "Hội nghị thống nhất thông qua báo cáo.",
        },
    )
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Nguyễn Hương Giang" in page and "Chủ tịch UBND tỉnh" in page
    assert "Hội nghị thống nhất thông qua báo cáo." in page and "30 phút" in page
    assert Guest.objects.get().organisation == "UBND tỉnh Bắc Ninh"


def test_agenda_form_rejects_formula_and_absurd_duration(client, world, meeting):
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"title": "=HYPERLINK(1)", "duration_minutes": 5000},
    )
    assert response.status_code == 422 and not meeting.agenda_items.exists()


def test_secretary_marks_attendance_with_htmx_and_sees_quorum(client, world, meeting):
    client.force_login(world.secretary)
    url = reverse("meetings:attendance", args=[meeting.pk])
    for unit in world.units[:6]:
        response = client.post(
            url,
            {"unit": unit.pk, "status": "present", "delegates": "Đại biểu"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
    assert "6/8" in response.content.decode() and "Đủ túc số" in response.content.decode()
    response = client.post(
        url, {"unit": world.units[6].pk, "status": "absent"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "Cần ghi lý do vắng mặt" in response.content.decode()


def test_delegate_checks_in_with_code_and_code_is_single_use(client, world, meeting):
    services.checkin_codes_issue(meeting=meeting)
    code = meeting.attendances.get(unit=world.units[1]).checkin_code
    anon = Client()
    page = anon.get(reverse("meetings:checkin") + f"?code={code}").content.decode()
    assert f'value="{code}"' in page
    # The unit is renamed after the meeting's day: the confirmation names it as it was that day.
    unit = world.units[1]
    old_name = unit.name
    unit_rename(
        unit=unit,
        new_name="Tên mới sau hội nghị",
        effective_date=services.meeting_date(meeting) + dt.timedelta(days=1),
    )
    response = anon.post(reverse("meetings:checkin"), {"code": code, "delegates": "Trần Văn B"})
    assert f"Đã ghi nhận {old_name} có mặt" in response.content.decode()
    assert "Tên mới sau hội nghị" not in response.content.decode()
    assert meeting.attendances.get(unit=world.units[1]).status == Attendance.Status.PRESENT
    response = anon.post(reverse("meetings:checkin"), {"code": code})
    assert response.status_code == 422 and "đã được dùng" in response.content.decode()


def test_checkin_slips_show_qr_images_without_inline_script(client, world, meeting):
    client.force_login(world.secretary)
    client.post(reverse("meetings:checkin_codes", args=[meeting.pk]))
    page = client.get(reverse("meetings:checkin_codes", args=[meeting.pk])).content.decode()
    assert page.count("data:image/svg+xml;base64,") == 8
    assert "<script>" not in page and "style=" not in page


def test_award_poll_takes_candidates_from_nominations(client, world, full_meeting):
    from awards.models import Nomination

    from .conftest import award_title

    title = award_title()
    for rank, unit in enumerate(world.units[2:5], start=1):
        Nomination.objects.create(
            bloc_year=world.bloc_year, award_title=title, unit=unit, rank=rank
        )
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:poll_create", args=[full_meeting.pk]),
        {
            "kind": "award",
            "title": "Suy tôn Bằng khen",
            "award_title": title.pk,
            "mode": "secret",
            "seats": 2,
            "max_marks": 2,
            "base": "valid",
            "threshold_numerator": 1,
            "threshold_denominator": 2,
            "threshold_strict": "on",
            "allow_self_vote": "on",
            "basis": "Quy chế Khối",
            "max_rounds": 2,
            "tie_break_rule": "leaders",
        },
    )
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert list(poll.candidates.values_list("unit_id", flat=True)) == [
        u.pk for u in world.units[2:5]
    ]
    assert all(c.nomination_id for c in poll.candidates.all())


def test_poll_form_rejects_bad_fraction_and_too_many_marks(client, world, full_meeting):
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:poll_create", args=[full_meeting.pk]),
        {
            "kind": "leader",
            "title": "Bầu",
            "mode": "secret",
            "seats": 1,
            "max_marks": 1,
            "base": "valid",
            "threshold_numerator": 3,
            "threshold_denominator": 2,
            "basis": "x",
            "max_rounds": 2,
            "tie_break_rule": "chair",
            "candidates": [world.units[0].pk],
        },
    )
    assert (
        response.status_code == 422
        and "Tử số không được lớn hơn mẫu số" in response.content.decode()
    )
    assert not Poll.objects.exists()


def test_open_button_refuses_without_quorum(client, world, meeting):
    mark_present(meeting, world.units[:3])
    poll = make_poll(meeting, world.units[:2])
    client.force_login(world.secretary)
    response = client.post(reverse("meetings:poll_open", args=[poll.pk]), follow=True)
    assert "Chưa đủ túc số" in response.content.decode()
    poll.refresh_from_db()
    assert poll.status == "draft"


def test_voter_reviews_then_casts_with_a_code_and_a_lost_reply_shows_the_receipt_again(
    world, full_meeting
):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    code = codes(poll)[world.units[4].pk]
    cand = poll.candidates.get(unit=world.units[0])
    url = reverse("meetings:vote_poll", args=[poll.pk])
    c = Client(enforce_csrf_checks=True)
    token = c.get(url).cookies["csrftoken"].value
    ballot = c.post(url, {"code": code, "csrfmiddlewaretoken": token}).content.decode()
    assert world.units[4].name in ballot and "Phiếu trắng" in ballot
    review = c.post(
        url,
        {"code": code, "marks": [cand.pk], "step": "review", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Xác nhận" in review and world.units[0].name in review
    assert "Phiếu không thể sửa sau khi gửi" in review and "<html" not in review
    assert not VoteCast.objects.exists()  # reviewing stores nothing
    response = c.post(
        url,
        {"code": code, "marks": [cand.pk], "step": "confirm", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    receipt = VoteCast.objects.get(poll=poll).receipt
    assert response.status_code == 200 and receipt in response.content.decode()
    # The reply was lost: entering the code again shows the recorded ballot's receipt.
    again = c.post(url, {"code": code, "csrfmiddlewaretoken": token}).content.decode()
    assert "Phiếu của đơn vị đã được ghi nhận" in again and receipt in again
    twice = c.post(
        url,
        {"code": code, "blank": "on", "step": "confirm", "csrfmiddlewaretoken": token},
    )
    assert twice.status_code == 409 and receipt in twice.content.decode()
    assert SealedBallot.objects.filter(poll=poll).count() == 1


def test_vote_without_csrf_token_is_refused(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    code = codes(poll)[world.units[0].pk]
    c = Client(enforce_csrf_checks=True)
    response = c.post(reverse("meetings:vote"), {"code": code, "blank": "on", "step": "confirm"})
    assert response.status_code == 403
    assert not SealedBallot.objects.exists() and not VoteCast.objects.exists()


def test_progress_shows_count_never_results(client, world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = poll.candidates.get(unit=world.units[0])
    for v in list(poll.voters.all())[:3]:
        services.ballot_cast(voter=v, marks=[cand.pk])
    client.force_login(world.secretary)
    response = client.get(reverse("meetings:poll_progress", args=[poll.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert ">3</strong> / 8" in body
    assert world.units[0].name not in body and "phiếu (" not in body
    detail = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in detail and "Đạt 3" not in detail


def test_full_flow_publish_shows_receipts_and_exports_neutralise_formulas(
    client, world, full_meeting
):
    u = world.units
    services.meeting_update(meeting=full_meeting, title="=cmd|' /C calc'!A0")
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2], title="+SUM(A1)"))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    receipts = [services.ballot_cast(voter=v, marks=[cand[u[0].pk]]) for v in poll.voters.all()]
    client.force_login(world.secretary)
    client.post(reverse("meetings:poll_close", args=[poll.pk]))
    client.post(reverse("meetings:poll_publish", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == "published"
    client.force_login(world.delegate)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert poll.seal_digest in page
    assert "Đạt 8/8 phiếu (100%), vượt ngưỡng trên 1/2 số phiếu hợp lệ" in page
    bulletin = client.get(reverse("meetings:poll_bulletin", args=[poll.pk])).content.decode()
    assert all(r in bulletin for r in receipts) and poll.seal_digest in bulletin
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("meetings:poll_export_csv", args=[poll.pk])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][1] == "'+SUM(A1)" and rows[1][1].startswith("'=cmd")
    from openpyxl import load_workbook

    wb = load_workbook(
        io.BytesIO(client.get(reverse("meetings:poll_export_xlsx", args=[poll.pk])).content)
    )
    values = [c.value for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "@")) for v in values)


def test_meeting_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    for i in range(6):
        m = make_meeting(world, title=f"Hội nghị {i}")
        mark_present(m, world.units[:2])
        make_poll(m, world.units[:2])
    client.force_login(world.secretary)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:meeting_list", args=[world.bloc_year.pk]))
    assert response.content.decode().count("Hội nghị ") >= 6


def test_year_panel_links_to_meetings(client, world):
    client.force_login(world.office)
    page = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])).content.decode()
    assert reverse("meetings:meeting_list", args=[world.bloc_year.pk]) in page


@pytest.mark.parametrize("mode", ["open"])
def test_open_vote_is_named_after_publication(client, world, full_meeting, mode):
    u = world.units
    poll = services.poll_open(
        poll=make_poll(full_meeting, kind=Poll.Kind.MOTION, title="Thông qua", mode=mode)
    )
    for v in poll.voters.all():
        services.ballot_cast(voter=v, choice="yes")
    services.poll_close(poll=poll, confirm_low_turnout=True)
    services.poll_publish(poll=poll)
    client.force_login(world.delegate)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert f"{u[0].name}: Tán thành" in page


def test_an_empty_ballot_is_refused_and_a_blank_one_must_be_chosen(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    code = codes(poll)[world.units[0].pk]
    url = reverse("meetings:vote")
    empty = Client().post(url, {"code": code, "step": "review"}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 422
    assert "hãy chọn «Phiếu trắng»" in empty.content.decode()
    review = Client().post(url, {"code": code, "blank": "on", "step": "review"})
    assert "<strong>Phiếu trắng</strong>" in review.content.decode()
    done = Client().post(url, {"code": code, "blank": "on", "step": "confirm"})
    assert (
        done.status_code == 200 and VoteCast.objects.get(poll=poll).receipt in done.content.decode()
    )
    services.poll_close(poll=poll, confirm_low_turnout=True)
    assert Ballot.objects.get(poll=poll).is_blank


def _closed_tie(world, meeting, **fields):
    u = world.units
    poll = services.poll_open(poll=make_poll(meeting, u[:2], **fields))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    for i, v in enumerate(poll.voters.order_by("unit_id")):
        services.ballot_cast(voter=v, marks=[cand[u[i % 2].pk]])
    return services.poll_close(poll=poll, confirm_low_turnout=True)


def test_tie_break_form_after_last_round_prefills_leaders_and_records_decision(
    client, world, full_meeting
):
    poll = _closed_tie(
        world, full_meeting, max_rounds=1, threshold_numerator=1, threshold_denominator=3
    )
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert "Ghi quyết định sau vòng cuối" in page and "Tạo vòng bỏ phiếu lại" not in page
    form = client.get(reverse("meetings:poll_tie_break", args=[poll.pk])).content.decode()
    assert f"Khối trưởng {world.units[0].name}" in form
    winner = poll.candidates.get(unit=world.units[1])
    response = client.post(
        reverse("meetings:poll_tie_break", args=[poll.pk]),
        {
            "winners": [winner.pk],
            "decided_by": "Khối trưởng và Khối phó",
            "basis": "Quy chế Khối, Điều 8",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert (
        "được suy tôn theo quyết định của Khối trưởng và Khối phó (căn cứ: Quy chế Khối, Điều 8)"
        in page
    )
    assert "Nhật ký thao tác" in page and "Quyết định khi bằng phiếu" in page


def test_tie_break_form_requires_the_right_number_of_winners(client, world, full_meeting):
    poll = _closed_tie(
        world, full_meeting, max_rounds=1, threshold_numerator=1, threshold_denominator=3
    )
    client.force_login(world.office)
    response = client.post(
        reverse("meetings:poll_tie_break", args=[poll.pk]),
        {
            "winners": list(poll.candidates.values_list("pk", flat=True)),
            "decided_by": "Chủ trì",
            "basis": "Quy chế",
        },
    )
    assert response.status_code == 422 and "Cần chọn đúng 1 đơn vị" in response.content.decode()
    assert not hasattr(Poll.objects.get(pk=poll.pk), "decision")


def test_counting_committee_enters_paper_counts_and_results_are_computed(
    client, world, full_meeting
):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2], mode=Poll.Mode.PAPER))
    c0, c1 = poll.candidates.get(unit=u[0]), poll.candidates.get(unit=u[1])
    client.force_login(world.secretary)
    url = reverse("meetings:poll_paper", args=[poll.pk])
    bad = client.post(
        url,
        {
            "counting_committee": "Nguyễn Văn A",
            "ballots_issued": 8,
            "ballots_returned": 9,
            "invalid": 0,
            "blank": 0,
            f"c_{c0.pk}": 5,
            f"c_{c1.pk}": 3,
        },
    )
    assert bad.status_code == 422 and "không được lớn hơn số phiếu phát ra" in bad.content.decode()
    ok = client.post(
        url,
        {
            "counting_committee": "Nguyễn Văn A – Trưởng ban\nTrần Thị B – Thành viên",
            "ballots_issued": 8,
            "ballots_returned": 8,
            "invalid": 0,
            "blank": 1,
            f"c_{c0.pk}": 5,
            f"c_{c1.pk}": 2,
        },
    )
    assert ok.status_code == 302
    client.post(reverse("meetings:poll_close", args=[poll.pk]))
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert "Đạt 5/8 phiếu (62,5%), vượt ngưỡng trên 1/2 số phiếu hợp lệ; được suy tôn" in page
    assert "Trần Thị B – Thành viên" in page and "phiếu trắng: 1" in page


def test_reported_outcome_form_records_a_show_of_hands_motion(client, world, meeting):
    poll = make_poll(
        meeting, kind=Poll.Kind.MOTION, title="Thông qua giao ước", mode=Poll.Mode.REPORTED
    )
    client.force_login(world.secretary)
    url = reverse("meetings:poll_record", args=[poll.pk])
    assert client.post(url, {"basis": "", "decided_by": "x"}).status_code == 422
    response = client.post(
        url, {"basis": "Biên bản hội nghị", "decided_by": "Giơ tay, 8/8 đơn vị", "adopted": "on"}
    )
    assert response.status_code == 302
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert "Hội nghị thống nhất thông qua (Giơ tay, 8/8 đơn vị) theo Biên bản hội nghị" in page


def test_counting_committee_enters_paper_ballots_one_by_one(client, world, full_meeting):
    u = world.units
    poll = services.poll_open(
        poll=make_poll(full_meeting, u[:2], mode=Poll.Mode.PAPER, counting_committee="Nguyễn Văn A")
    )
    c0, c1 = poll.candidates.get(unit=u[0]), poll.candidates.get(unit=u[1])
    client.force_login(world.secretary)
    url = reverse("meetings:poll_paper_ballot", args=[poll.pk])
    over = client.post(url, {"marks": [c0.pk, c1.pk]})
    assert over.status_code == 422 and "phiếu không hợp lệ" in over.content.decode()
    for marks in ([c0.pk],) * 5 + ([c1.pk],) * 2:
        assert client.post(url, {"marks": marks}).status_code == 302
    assert client.post(url, {"marks": [c0.pk, c1.pk], "invalid": "on"}).status_code == 302
    full = client.post(url, {"marks": [c0.pk]})
    assert full.status_code == 422 and "Đã nhập đủ" in full.content.decode()
    assert poll.ballots.count() == 8
    assert {f.name for f in Ballot._meta.get_fields()}.isdisjoint({"receipt", "serial", "number"})
    count_form = client.post(
        reverse("meetings:poll_paper", args=[poll.pk]),
        {
            "counting_committee": "x",
            "ballots_issued": 8,
            "ballots_returned": 8,
            "invalid": 0,
            "blank": 0,
            f"c_{c0.pk}": 1,
            f"c_{c1.pk}": 1,
        },
    )
    assert count_form.status_code == 422
    client.post(reverse("meetings:poll_close", args=[poll.pk]))
    poll.refresh_from_db()
    outcome = services.poll_outcome(poll)
    assert outcome.counts.invalid == 1 and outcome.counts.valid == 7
    assert outcome.lines[0].sentence.startswith("Đạt 5/7 phiếu (71,43%)")
    services.poll_seal_check(poll)


def test_attendance_rows_have_distinct_field_ids(client, world, meeting):
    import re

    client.force_login(world.secretary)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert f'id="att{world.units[0].pk}_status"' in page
