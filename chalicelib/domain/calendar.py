"""A booking as an iCalendar event (RFC 5545), for "add to calendar" downloads.

Pure: every value, the stamp included, is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT_ID = "-//Standby//Bookings//EN"
LINE_LIMIT = 75
"""Octets per content line before it must be folded."""


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    """Stable across downloads, so a calendar updates the event instead of adding another."""
    starts_at: datetime
    ends_at: datetime
    summary: str
    stamp: datetime
    location: str | None = None
    description: str | None = None
    url: str | None = None
    cancelled: bool = False


def ics(event: CalendarEvent) -> str:
    """One VCALENDAR holding the event, with CRLF line ends as the format requires."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a line longer than 75 octets, never splitting a UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = LINE_LIMIT
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = LINE_LIMIT - 1  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)
