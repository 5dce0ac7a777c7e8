"""An iCalendar (RFC 5545) event for a meeting, attached to its Giấy mời.

METHOD:PUBLISH (an announcement to add to the calendar, no RSVP). Times in UTC; text escaped;
lines folded at 75 octets without splitting a UTF-8 character; CRLF line ends.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

CRLF = "\r\n"


def escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line to 75 octets per physical line (continuations start with a space)."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines carry the leading space
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return (CRLF + " ").join(out)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_event(
    *,
    uid: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    place: str = "",
    description: str = "",
    url: str = "",
    sequence: int = 0,
    now: dt.datetime | None = None,
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//khoithidua//Giay moi hoi nghi//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape(uid)}",
        f"DTSTAMP:{utc(now or timezone.now())}",
        f"DTSTART:{utc(starts_at)}",
    ]
    if ends_at:
        lines.append(f"DTEND:{utc(ends_at)}")
    lines.append(f"SEQUENCE:{int(sequence)}")
    lines.append(f"SUMMARY:{escape(title)}")
    if place:
        lines.append(f"LOCATION:{escape(place)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return (CRLF.join(fold(line) for line in lines) + CRLF).encode("utf-8")


def parse(data: bytes) -> dict[str, str]:
    """Unfold and read back the properties of the first VEVENT (for tests and checks)."""
    text = data.decode("utf-8").replace(CRLF + " ", "")
    props, inside = {}, False
    for line in text.split(CRLF):
        if line == "BEGIN:VEVENT":
            inside = True
        elif line == "END:VEVENT":
            break
        elif inside and ":" in line:
            name, value = line.split(":", 1)
            props[name.split(";", 1)[0]] = (
                value.replace("\\n", "\n")
                .replace("\\,", ",")
                .replace("\\;", ";")
                .replace("\\\\", "\\")
            )
    return props
