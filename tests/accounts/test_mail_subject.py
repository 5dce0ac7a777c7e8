"""Vietnamese subjects keep every space through SMTP (Python's folding drops one otherwise)."""

import email
from email import policy

from khoithidua.mail import Message

LONG = "Giấy mời dự Hội nghị tổng kết năm 2025 của Khối thi đua các cơ quan Nội chính tỉnh Bắc Ninh"


def test_a_long_vietnamese_subject_arrives_word_for_word_and_lines_stay_short(smtp):
    Message(subject=LONG, body="Kính gửi các đơn vị.", to=["a@example.org"]).send()
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == LONG
    raw = mail.as_bytes(policy=policy.SMTP)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_python_alone_would_glue_two_words_of_this_subject():
    # The defect this module works around; if Python fixes it, Message can go.
    subject = "Thư mời sử dụng phần mềm quản lý khối thi đua"
    plain = email.message.EmailMessage(policy=policy.SMTP)
    plain["Subject"] = subject
    parsed = email.message_from_bytes(plain.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == subject.replace("quản lý", "quảnlý")
