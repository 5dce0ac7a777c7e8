"""Faster work on the day: «Tất cả có mặt» then the exceptions."""

from django.urls import reverse

from blocs.models import AuditEvent
from meetings import services
from tests.meetings.conftest import make_meeting


def test_all_present_marks_the_unmarked_units_and_keeps_the_absent_ones(client, world):
    meeting = make_meeting(world)
    services.attendance_mark(
        meeting=meeting, unit=world.units[3], status="absent", reason="Đi công tác"
    )
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).text
    assert "Tất cả có mặt" in page
    response = client.post(
        reverse("meetings:attendance_all_present", args=[meeting.pk]), follow=True
    )
    assert "Đã ghi 7 đơn vị có mặt" in response.text
    statuses = dict(meeting.attendances.values_list("unit_id", "status"))
    assert statuses[world.units[3].pk] == "absent"
    assert list(statuses.values()).count("present") == 7
    assert meeting.attendances.get(unit=world.units[3]).reason == "Đi công tác"
    assert services.quorum(meeting).reached
    assert AuditEvent.objects.filter(action="attendance.all_present").exists()
    again = client.post(reverse("meetings:attendance_all_present", args=[meeting.pk]), follow=True)
    assert "Đã ghi 0 đơn vị có mặt" in again.text


def test_a_delegate_sees_no_all_present_button(client, world):
    meeting = make_meeting(world)
    client.force_login(world.delegate)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).text
    assert "Tất cả có mặt" not in page


def test_the_printed_checkin_sheet_gives_the_full_address_of_the_checkin_page(client, world):
    meeting = make_meeting(world)
    services.checkin_codes_issue(meeting=meeting)
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:checkin_codes", args=[meeting.pk])).text
    assert page.count("http://testserver/checkin/") >= 1 + 8  # the intro and every slip
    assert ">/checkin/<" not in page


def test_the_poll_rule_is_chosen_in_words_and_the_bloc_s_own_rules_come_first(client, world):
    from meetings.models import Poll

    meeting = make_meeting(world)
    client.force_login(world.secretary)
    url = reverse("meetings:poll_create", args=[meeting.pk])
    page = client.get(url).text
    assert "trên 1/2 số phiếu hợp lệ" in page and "từ 2/3 tổng số đơn vị thành viên trở lên" in page
    assert "Khác: nhập tỷ lệ riêng" in page
    response = client.post(
        url,
        {
            "kind": "motion",
            "title": "Thông qua chương trình công tác năm 2025",
            "mode": "open",
            "rule": "members:2/3:ge",
            "basis": "Quy chế hoạt động của Khối",
            "blank_valid": "True",
        },
    )
    assert response.status_code == 302, response.text
    poll = Poll.objects.get(title="Thông qua chương trình công tác năm 2025")
    assert (poll.base, poll.threshold_numerator, poll.threshold_denominator) == ("members", 2, 3)
    assert poll.threshold_strict is False
    # The next poll of this bloc offers that rule first, marked as the bloc's own.
    again = client.get(url).text
    assert "từ 2/3 tổng số đơn vị thành viên trở lên (khối đã dùng)" in again
    custom = client.post(url, {"kind": "motion", "title": "X", "mode": "open", "rule": "custom"})
    assert custom.status_code == 422
    assert "Hãy nhập (hoặc chọn một nguyên tắc có sẵn)." in custom.text


def test_a_poll_links_to_its_documents(client, world):
    from tests.meetings.conftest import make_poll, mark_present

    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    poll = services.poll_open(poll=make_poll(meeting, world.units[:2]))
    client.force_login(world.delegate)
    url = reverse("meetings:poll_detail", args=[poll.pk])
    page = client.get(url).text
    assert reverse("documents:meeting_documents", args=[meeting.pk]) in page
    assert "count_minutes" not in page  # no count minutes while the poll is open
    services.poll_close(poll=poll, confirm_low_turnout=True)
    client.force_login(world.secretary)
    closed = client.get(url).text
    preview = reverse("documents:draft_preview", args=["count_minutes", poll.pk])
    assert preview in closed
    assert client.get(preview).status_code == 200
