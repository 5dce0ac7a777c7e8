"""The meeting's Giấy mời by email: the finalized PDF and an .ics to every member unit's
delegates and the guests, through a real SMTP server; each recipient's outcome recorded."""

import datetime as dt

from django.urls import reverse

from blocs.models import AuditEvent
from meetings import services as meeting_services
from notices.ics import parse
from notices.models import InvitationRecipient, Notification

from .conftest import finalized_invitation


def _send(client, meeting):
    return client.post(
        reverse("notices:meeting_invitations", args=[meeting.pk]), {"action": "send"}
    )


def test_secretary_sends_the_giay_moi_with_pdf_and_calendar_to_delegates_and_guests(
    client, world, meeting, delegates, smtp
):
    document = finalized_invitation(meeting)
    guest = meeting_services.guest_add(
        meeting=meeting, name="Nguyễn Hương Giang", position="Chủ tịch UBND tỉnh"
    )
    client.force_login(world.secretary)
    page = reverse("notices:meeting_invitations", args=[meeting.pk])
    saved = client.post(page, {"action": "guests", f"g{guest.pk}": "VanPhong@BacNinh.gov.vn"})
    assert saved.status_code == 302
    response = _send(client, meeting)
    assert response.status_code == 302

    mails = smtp.wait_for(4)
    assert sorted(str(m["To"]) for m in mails) == [
        "db0@donvi.gov.vn",
        "db1@donvi.gov.vn",
        "db2@donvi.gov.vn",
        "vanphong@bacninh.gov.vn",
    ]
    mail = smtp.to("db0@donvi.gov.vn")[0]
    assert mail["Subject"] == f"Giấy mời: {meeting.title}"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Kính gửi Đại biểu 0 (" in body
    assert "Thời gian: 08:00, ngày 05/12/2024" in body
    assert "Giấy mời số 07/GM-KTĐ đính kèm" in body
    assert f"/meetings/{meeting.pk}/" in body  # delegates get the link, guests do not
    attachments = {a.get_filename(): a for a in mail.iter_attachments()}
    assert set(attachments) == {"giay-moi-07-GM-KT.pdf", "hoi-nghi.ics"}
    assert attachments["giay-moi-07-GM-KT.pdf"].get_content() == document.pdf_bytes
    assert attachments["hoi-nghi.ics"].get_content_type() == "text/calendar"
    event = parse(attachments["hoi-nghi.ics"].get_content().encode())
    assert event["DTSTART"] == "20241205T010000Z"  # 08:00 in Hà Nội
    assert event["DTEND"] == "20241205T043000Z"
    assert event["SUMMARY"] == meeting.title
    assert event["LOCATION"] == "Hội trường tầng 3, Tòa án nhân dân tỉnh"
    assert event["SEQUENCE"] == "0"
    guest_body = smtp.to("vanphong@bacninh.gov.vn")[0].get_body(preferencelist=("plain",))
    assert "/meetings/" not in guest_body.get_content()

    recipients = InvitationRecipient.objects.filter(mailing__meeting=meeting)
    assert recipients.count() == 4 and not recipients.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(user__in=delegates, kind="invitation").count() == 3
    assert AuditEvent.objects.filter(action="meeting.invitation_send").count() == 1
    shown = client.get(page).text
    assert "Đã gửi 4/4; lỗi 0." in shown
    # Units without a delegate email are named, so the secretary knows who gets nothing.
    assert world.units[5].name in shown


def test_a_second_sending_is_a_new_sequence_for_calendars(client, world, meeting, delegates, smtp):
    finalized_invitation(meeting)
    client.force_login(world.secretary)
    _send(client, meeting)
    _send(client, meeting)
    mails = smtp.wait_for(6)
    sequences = sorted(
        parse(next(a for a in m.iter_attachments() if a.get_filename() == "hoi-nghi.ics")
              .get_content().encode())["SEQUENCE"]
        for m in mails
    )  # fmt: skip
    assert sequences == ["0", "0", "0", "1", "1", "1"]


def test_a_refused_address_is_recorded_and_the_others_still_get_theirs(
    client, world, meeting, delegates, smtp
):
    finalized_invitation(meeting)
    smtp.reject("db1@donvi.gov.vn")
    client.force_login(world.secretary)
    _send(client, meeting)
    smtp.wait_for(2)
    bad = InvitationRecipient.objects.get(email="db1@donvi.gov.vn")
    assert bad.sent_at is None and "550" in bad.error
    assert InvitationRecipient.objects.filter(sent_at__isnull=False).count() == 2
    page = client.get(reverse("notices:meeting_invitations", args=[meeting.pk])).text
    assert "Đã gửi 2/3; lỗi 1." in page


def test_without_a_finalized_giay_moi_nothing_is_sent_and_the_page_says_why(
    client, world, meeting, delegates, smtp
):
    client.force_login(world.office)
    response = _send(client, meeting)
    page = client.get(response["Location"]).text
    assert "Giấy mời chưa được lập và khóa" in page
    assert not InvitationRecipient.objects.exists()
    assert smtp.messages == []


def test_a_bad_guest_email_is_refused_with_an_example(client, world, meeting):
    guest = meeting_services.guest_add(meeting=meeting, name="Khách")
    client.force_login(world.secretary)
    response = client.post(
        reverse("notices:meeting_invitations", args=[meeting.pk]),
        {"action": "guests", f"g{guest.pk}": "khong-phai-email"},
    )
    assert response.status_code == 422
    assert "Địa chỉ email không hợp lệ; hãy nhập dạng ten@coquan.gov.vn." in response.text
    assert "Ví dụ: vanphong@bacninh.gov.vn." in response.text


def test_the_calendar_file_folds_long_vietnamese_lines_and_escapes_text():
    from notices.ics import meeting_event

    title = "Hội nghị tổng kết năm 2025; bình xét, suy tôn danh hiệu thi đua của Khối Nội chính"
    data = meeting_event(
        uid="meeting-1@example.org",
        title=title,
        starts_at=dt.datetime(2025, 12, 5, 1, 0, tzinfo=dt.UTC),
        ends_at=None,
        description="Dòng 1\nDòng 2, có dấu phẩy",
        now=dt.datetime(2025, 11, 30, tzinfo=dt.UTC),
    )
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # raises if a character was split across two lines
    event = parse(data)
    assert event["SUMMARY"] == title
    assert event["DESCRIPTION"] == "Dòng 1\nDòng 2, có dấu phẩy"
    assert "DTEND" not in event
    assert (
        b"SUMMARY:H\xe1\xbb\x99i ngh\xe1\xbb\x8b t\xe1\xbb\x95ng k\xe1\xba\xbft n\xc4\x83m 2025\\;"
        in data
    )
