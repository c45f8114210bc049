"""The booking as a calendar event: one event per booking, in UTC, text escaped, lines
folded as RFC 5545 asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chalicelib.domain.calendar import CalendarEvent, event_uid, ics

OSLO_WINTER = timezone(timedelta(hours=1))
EVENT = CalendarEvent(
    booking_id="3f9a2c7e1b8d4f60",
    starts_at=datetime(2030, 3, 1, 10, 0, tzinfo=OSLO_WINTER),
    ends_at=datetime(2030, 3, 1, 10, 30, tzinfo=OSLO_WINTER),
    summary="Haircut, Salon Lys",
    stamp=datetime(2030, 2, 20, 12, 0, tzinfo=UTC),
    location="Storgata 12, Oslo",
    url="https://book.example.com/bookings/abc",
)


def lines(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_event_is_named_after_the_booking_and_written_in_utc() -> None:
    text = ics(EVENT)
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    unfolded = lines(text)
    assert f"UID:{event_uid(EVENT.booking_id)}" in unfolded
    assert "DTSTART:20300301T090000Z" in unfolded
    assert "DTEND:20300301T093000Z" in unfolded
    assert "DTSTAMP:20300220T120000Z" in unfolded
    assert "SUMMARY:Haircut\\, Salon Lys" in unfolded
    assert "LOCATION:Storgata 12\\, Oslo" in unfolded


def test_the_same_booking_keeps_its_uid_wherever_it_moves() -> None:
    moved = CalendarEvent(
        booking_id=EVENT.booking_id,
        starts_at=EVENT.starts_at + timedelta(days=2),
        ends_at=EVENT.ends_at + timedelta(days=2),
        summary=EVENT.summary,
        stamp=EVENT.stamp,
    )
    uid = f"UID:{event_uid(EVENT.booking_id)}"
    assert uid in lines(ics(moved)) and uid in lines(ics(EVENT))


def test_text_values_escape_what_the_format_reserves() -> None:
    tricky = CalendarEvent(
        booking_id="b",
        starts_at=EVENT.starts_at,
        ends_at=EVENT.ends_at,
        summary="Cut; colour, and\nstyle \\ more",
        stamp=EVENT.stamp,
    )
    assert "SUMMARY:Cut\\; colour\\, and\\nstyle \\\\ more" in lines(ics(tricky))


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character() -> None:
    long = CalendarEvent(
        booking_id="b",
        starts_at=EVENT.starts_at,
        ends_at=EVENT.ends_at,
        summary="Dameklipp med farge og føn " * 10,
        stamp=EVENT.stamp,
    )
    text = ics(long)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert "SUMMARY:" + ("Dameklipp med farge og føn " * 10) in lines(text)


def test_no_location_leaves_no_location_line() -> None:
    bare = CalendarEvent("b", EVENT.starts_at, EVENT.ends_at, "Haircut, Salon Lys", EVENT.stamp)
    assert not any(line.startswith("LOCATION") for line in lines(ics(bare)))
