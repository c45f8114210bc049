"""The reminder sweep beside many future bookings: the items it reads must be the due
bookings (and their business), not every booking ahead.

The design's 100,000 future bookings and the 10 due are written straight into moto's
table in the bookings' own item shape, due-reminders index attributes included
(``bench.seeding``); then one sweep runs with every call counted. The sweep must remind
exactly the due bookings: moto answers its Query of the index from the table's items, so
finding them shows the index holds the bookings written this way. A smaller run
(``--reminder-bookings``) is marked as not measured in full.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.report import Figure, Section, Verdict, verdict
from bench.seeding import write_straight
from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.bootstrap import build_services
from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    SlotSummary,
)
from chalicelib.settings import get_settings
from tests.support.aws import mocked_aws
from tests.support.calls import aws_call_log
from tests.support.fakes import FakeClock

FUTURE = 100_000
DUE = 10
DAYS_AHEAD = 60
CHECK_EVERY = 101
"""Prime to the days, so the checked copies fall on every day."""
STARTS = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def _slot_id(starts_at: datetime) -> str:
    return f"slot-{starts_at:%Y%m%d}"


def _booking_id(number: int) -> str:
    return f"b{number:06d}"


def _contact(number: int) -> Contact:
    return Contact(f"C{number}", f"c{number}@example.com")


def _booking(number: int, starts_at: datetime) -> Booking:
    return Booking(
        business_id="bench",
        slot_id=_slot_id(starts_at),
        booking_id=_booking_id(number),
        status=BookingStatus.CONFIRMED,
        source=BookingSource.DIRECT,
        contact=_contact(number),
        slot=SlotSummary(
            "Bench", "Europe/Oslo", "en", "Cut", starts_at, starts_at + timedelta(minutes=30)
        ),
        created_at=STARTS - timedelta(days=3),
    )


def measure(future: int = FUTURE) -> Section:
    settings = get_settings()
    with mocked_aws():
        clock = FakeClock(STARTS - timedelta(days=1) + timedelta(minutes=1))
        services = build_services(settings, clock=clock)
        with services.uow() as uow:
            uow.catalogue.save_business(Business("bench", "Bench", "Europe/Oslo", "en"))
            uow.commit()
        began = time.monotonic()
        write_straight(settings.bookings_table, _bookings(future))
        seeded = time.monotonic() - began
        sweep = services.reminders
        began = time.monotonic()
        with aws_call_log() as log:
            reminded = sweep.send_due()
        swept = time.monotonic() - began
        due = services.uow().bookings.list_bookings("bench", _slot_id(STARTS))
        moved_on = sum(booking.reminded_until is not None for booking in due)
    items_read = sum(call.items_read for call in log)
    names = ", ".join(call.name.removeprefix("dynamodb.") for call in log)
    # The due bookings and their one business.
    met = reminded == DUE and moved_on == DUE and items_read <= DUE + 1
    return Section(
        "Reminder sweep",
        [
            Figure(
                f"reminder sweep, {future:,} future bookings, {DUE} due: items read",
                str(items_read),
                f"≈ {DUE}, not {FUTURE:,}",
                verdict(met) if future >= FUTURE or not met else Verdict.INCOMPLETE,
                f"{reminded} reminded, {moved_on} of the {DUE} due moved on; {names}",
            )
        ],
        notes=[
            f"{future + DUE:,} bookings written straight into moto's table in "
            f"{seeded:.0f} s; the sweep took {swept:.0f} s (moto reads every item of the "
            "table in Python to answer each Query on an index: not a DynamoDB latency)."
        ],
    )


def _bookings(future: int) -> Iterator[dict[str, Any]]:
    """The bookings as the table holds them: `future` spread over sixty days ahead, then the
    due ones. The mapping serializes each day's first booking; the others of the day differ
    from it only in their id, contact and keys, so they are copied from it (the mapping
    itself takes two thirds of a millisecond a booking). One copy in 101 is checked
    against the mapping's own item."""
    days: dict[int, dict[str, Any]] = {}
    for number in range(future):
        starts_at = STARTS + timedelta(days=30 + number % DAYS_AHEAD)
        day = days.get(number % DAYS_AHEAD)
        if day is None or number % CHECK_EVERY == 0:
            item = mapping.booking_to_item(_booking(number, starts_at)).serialize()
            if day is not None and _copy(day, number) != item:
                raise RuntimeError(f"booking {number}: the copy is not the mapping's item")
            days.setdefault(number % DAYS_AHEAD, item)
            yield item
        else:
            yield _copy(day, number)
    for number in range(future, future + DUE):
        yield mapping.booking_to_item(_booking(number, STARTS)).serialize()


def _copy(day: dict[str, Any], number: int) -> dict[str, Any]:
    """Another booking of the same day, from the day's first one."""
    first, booking_id = day["booking_id"]["S"], _booking_id(number)
    contact = _contact(number)
    return {
        **day,
        "booking_id": {"S": booking_id},
        "sk": {"S": keys.booking_key(booking_id)},
        "contact": {"M": {"email": {"S": contact.email}, "name": {"S": contact.name}}},
        "due_shard": {"S": keys.reminder_shard(booking_id)},
        "reminder_due": {"S": day["reminder_due"]["S"].replace(first, booking_id)},
        "status_sort": {"S": day["status_sort"]["S"].replace(first, booking_id)},
    }
