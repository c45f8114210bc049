"""A booking as an iCalendar (RFC 5545) event: the .ics file attached to confirmations,
and what a page offers to download. Pure: every value is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT_ID = "-//Standby//Bookings//EN"
UID_DOMAIN = "standby.bookings"
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    booking_id: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    stamp: datetime
    """When the event was written (DTSTAMP): the message's own time, not the clock's."""
    location: str | None = None
    description: str | None = None
    url: str | None = None
    sequence: int = 0
    """Raised when the booking changes, so calendars replace the event instead of adding."""
    cancelled: bool = False


def event_uid(booking_id: str) -> str:
    """The same booking is the same event, wherever it moves."""
    return f"{booking_id}@{UID_DOMAIN}"


def ics(event: CalendarEvent) -> str:
    """The event as an .ics file's text, lines ended by CRLF and folded at 75 octets."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event_uid(event.booking_id)}",
        f"SEQUENCE:{event.sequence}",
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
    """TEXT values escape backslashes, semicolons, commas and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Long lines continue on the next line after a space, never splitting a character."""
    parts: list[str] = []
    current = ""
    limit = MAX_LINE_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = ""
            limit = MAX_LINE_OCTETS - 1  # continuation lines start with a space
        current += char
    parts.append(current)
    return "\r\n ".join(parts)
