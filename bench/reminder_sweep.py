"""The reminder sweep beside many future bookings: the items it reads must be the due
bookings (and their business), not every booking ahead.

The bookings are written straight into moto in the table's own item shape (a batch
writer); then one sweep runs with every call counted. moto writes about a hundred bookings
a second with their indexes, so the default run writes 10,000 (under two minutes) and
marks the figure as not measured in full; `--reminder-bookings 100000` runs the design's
case (about twenty minutes).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bench.report import Figure, Section, Verdict, verdict
from chalicelib.adapters.dynamodb import mapping
from chalicelib.adapters.dynamodb.models import BookingItem
from chalicelib.adapters.dynamodb.store import DynamoStore
from chalicelib.adapters.tokens import LinkSigner
from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    SlotSummary,
)
from chalicelib.services.links import Links
from chalicelib.services.reminders import Reminders
from chalicelib.settings import get_settings
from tests.support.aws import mocked_aws
from tests.support.calls import aws_call_log
from tests.support.fakes import FakeClock

FUTURE = 10_000
DESIGN_FUTURE = 100_000
DUE = 10
STARTS = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def _booking(number: int, starts_at: datetime) -> Booking:
    return Booking(
        business_id="bench",
        slot_id=f"slot-{starts_at:%Y%m%d}",
        booking_id=f"b{number:06d}",
        status=BookingStatus.CONFIRMED,
        source=BookingSource.DIRECT,
        contact=Contact(f"C{number}", f"c{number}@example.com"),
        slot=SlotSummary(
            "Bench", "Europe/Oslo", "en", "Cut", starts_at, starts_at + timedelta(minutes=30)
        ),
        created_at=STARTS - timedelta(days=3),
    )


def measure(future: int = FUTURE) -> Section:
    settings = get_settings()
    with mocked_aws():
        store = DynamoStore(settings)
        store.save_business(Business("bench", "Bench", "Europe/Oslo", "en"))
        began = time.monotonic()
        with BookingItem.batch_write() as batch:
            for number in range(future):
                later = STARTS + timedelta(days=30 + number % 60)
                batch.save(mapping.booking_to_item(_booking(number, later)))
            for number in range(future, future + DUE):
                batch.save(mapping.booking_to_item(_booking(number, STARTS)))
        seeded = time.monotonic() - began
        clock = FakeClock(STARTS - timedelta(days=1) + timedelta(minutes=1))
        links = Links(LinkSigner(settings.require_link_signing_key()), settings.public_base_url)
        sweep = Reminders(store, clock, links)
        with aws_call_log() as log:
            reminded = sweep.send_due()
    items_read = sum(call.items_read for call in log)
    names = ", ".join(call.name.removeprefix("dynamodb.") for call in log)
    met = reminded == DUE and items_read <= DUE + 1
    return Section(
        "Reminder sweep",
        [
            Figure(
                f"reminder sweep, {future:,} future bookings, {DUE} due: items read",
                str(items_read),
                "≈ 10, not 100,000",
                verdict(met) if future >= DESIGN_FUTURE or not met else Verdict.INCOMPLETE,
                f"{reminded} reminded; {names}",
            )
        ],
        notes=[f"{future + DUE:,} bookings written in {seeded:.0f} s before the sweep."],
    )
