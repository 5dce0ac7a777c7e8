"""Email with Vietnamese subjects that survive folding.

Python's email package (3.11, 3.12) drops the space at a fold between two RFC 2047 encoded
words: "… phần mềm quản lý …" arrives as "quảnlý" in every mail client once the subject is
longer than about 30 Vietnamese characters. `Message` encodes the subject with
`email.header.Header`, which keeps the space inside the next encoded word, and hands that
folded text to the serializer as is.
"""

from __future__ import annotations

import email.policy
from email.header import Header

from django.core import mail


class _FoldedSubject(str):
    """A header value the email policy stores and writes without refolding it."""

    name = "Subject"

    def __new__(cls, text: str):
        obj = super().__new__(cls, text)
        obj._encoded = Header(text, "utf-8", header_name="Subject").encode(linesep="\n")
        return obj

    def fold(self, *, policy) -> str:
        if self.isascii() and len(self) < 70:
            return f"Subject: {self}{policy.linesep}"
        return "Subject: " + self._encoded.replace("\n", policy.linesep) + policy.linesep


class Message(mail.EmailMessage):
    """django.core.mail.EmailMessage with a correctly folded Vietnamese subject."""

    def message(self, *, policy=email.policy.default):
        msg = super().message(policy=policy)
        if "Subject" in msg and not str(msg["Subject"]).isascii():
            msg.replace_header("Subject", _FoldedSubject(str(msg["Subject"])))
        return msg
