"""Reminders: each booking that holds a seat is reminded once per lead time, found by a
Query on the due-reminders index, in the business's time zone and active hours."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.models import BookingItem
from chalicelib.bootstrap import build_services
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Contact,
    SlotSummary,
)
from chalicelib.domain.time_rules import ActiveHours
from chalicelib.ports.unit_of_work import UnitOfWork
from chalicelib.services.catalogue import NewService, NewSlot
from chalicelib.settings import get_settings
from tests.support.calls import aws_call_log
from tests.support.faults import PassThroughUnitOfWork, Patched
from tests.support.shop import START, Shop

DAY = timedelta(days=1)


class ReminderShop(Shop):
    """A shop with roomy slots, a customer who books three days ahead, and the sweep."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.reminders = self.services.reminders
        self.service_id = self.catalogue.add_services("shop", [NewService("Colour", 60)])[
            0
        ].service_id
        # Only the customers a test books are reminded.
        self.bookings.cancel("shop", self.slot_id, self.holder.booking_id, by=Actor.STAFF)
        self.clock.current = START - 3 * DAY

    def slot(self, starts_at: datetime) -> str:
        return self.catalogue.add_slots("shop", [NewSlot(self.service_id, starts_at, capacity=5)])[
            0
        ].slot_id

    def book(self, slot_id: str, name: str = "Bo") -> Booking:
        contact = Contact(name, f"{name.lower()}@example.com")
        return self.bookings.book("shop", slot_id, contact)

    def sweep_at(self, moment: datetime) -> int:
        self.clock.current = moment
        return self.reminders.send_due()

    def reminders_queued(self) -> list[OutboxMessage]:
        return [
            m
            for m in self.uow().outbox.recent_messages("shop", None, 100).messages
            if m.message_type is MessageType.BOOKING_REMINDER
        ]


def test_a_booking_is_reminded_once_when_its_lead_time_comes(aws: None) -> None:
    shop = ReminderShop()
    booking = shop.book(shop.slot(START))

    assert shop.sweep_at(START - DAY - timedelta(minutes=5)) == 0
    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 1
    assert shop.sweep_at(START - DAY + timedelta(minutes=6)) == 0
    assert shop.sweep_at(START - timedelta(minutes=1)) == 0

    [reminder] = shop.reminders_queued()
    assert reminder.recipient == "bo@example.com"
    assert reminder.context["booking_id"] == booking.booking_id
    assert reminder.context["starts_at"] == START.isoformat()
    assert reminder.context["manage_url"].startswith("http")


def test_two_sweeps_on_the_same_read_queue_one_reminder(aws: None) -> None:
    shop = ReminderShop()
    shop.book(shop.slot(START))
    shop.clock.current = START - DAY + timedelta(minutes=1)

    read: list[list[tuple[Booking, str]]] = []

    def same_read() -> UnitOfWork:
        """Both sweeps see what the first read: they overlap."""
        uow = PassThroughUnitOfWork(shop.uow())

        def due(now: datetime, limit: int) -> list[tuple[Booking, str]]:
            if not read:
                read.append(uow.inner.reminders.due(now, limit))
            return read[0]

        uow.reminders = Patched(uow.inner.reminders, due=due)
        return uow

    first = build_services(get_settings(), clock=shop.clock, uow=same_read).reminders
    second = build_services(get_settings(), clock=shop.clock, uow=same_read).reminders

    assert first.send_due() + second.send_due() == 1
    assert len(shop.reminders_queued()) == 1


def test_a_booking_written_back_by_a_concurrent_change_is_not_reminded_twice(aws: None) -> None:
    shop = ReminderShop(reminder_lead_times=(1440, 120))
    booking = shop.book(shop.slot(START))
    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 1
    # A change that read the booking before the sweep writes its old due key back.
    mapping.booking_to_item(booking).save()

    assert shop.sweep_at(START - DAY + timedelta(minutes=6)) == 0
    assert shop.sweep_at(START - timedelta(minutes=119)) == 1
    assert len(shop.reminders_queued()) == 2


def test_a_moved_booking_is_reminded_for_its_new_time(aws: None) -> None:
    shop = ReminderShop()
    first, later = shop.slot(START), shop.slot(START + 2 * DAY)
    booking = shop.book(first)
    shop.bookings.move("shop", first, booking.booking_id, later, by=Actor.CUSTOMER)

    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 0
    assert shop.sweep_at(START + DAY + timedelta(minutes=1)) == 1
    [reminder] = shop.reminders_queued()
    assert reminder.context["starts_at"] == (START + 2 * DAY).isoformat()


def test_a_booking_moved_away_and_back_is_reminded_once(aws: None) -> None:
    shop = ReminderShop()
    first, other = shop.slot(START), shop.slot(START + 2 * DAY)
    booking = shop.book(first)
    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 1
    shop.bookings.move("shop", first, booking.booking_id, other, by=Actor.STAFF)
    shop.bookings.move("shop", other, booking.booking_id, first, by=Actor.STAFF)

    assert shop.sweep_at(START - DAY + timedelta(minutes=6)) == 0
    assert len(shop.reminders_queued()) == 1


def test_a_cancelled_booking_is_not_reminded(aws: None) -> None:
    shop = ReminderShop()
    slot_id = shop.slot(START)
    booking = shop.book(slot_id)
    shop.bookings.cancel("shop", slot_id, booking.booking_id, by=Actor.CUSTOMER)

    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 0
    assert shop.reminders_queued() == []


def test_two_lead_times_give_two_reminders(aws: None) -> None:
    shop = ReminderShop(reminder_lead_times=(1440, 120))
    shop.book(shop.slot(START))

    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 1
    assert shop.sweep_at(START - timedelta(minutes=119)) == 1
    assert shop.sweep_at(START - timedelta(minutes=1)) == 0
    assert sorted(m.context["lead_minutes"] for m in shop.reminders_queued()) == ["120", "1440"]


def test_no_lead_times_means_no_reminders(aws: None) -> None:
    shop = ReminderShop(reminder_lead_times=())
    shop.book(shop.slot(START))

    assert shop.sweep_at(START - timedelta(minutes=1)) == 0


def test_a_booking_made_after_a_lead_time_skips_that_reminder(aws: None) -> None:
    shop = ReminderShop(reminder_lead_times=(1440, 120))
    shop.clock.current = START - timedelta(hours=5)
    shop.book(shop.slot(START))

    assert shop.sweep_at(START - timedelta(hours=4)) == 0
    assert shop.sweep_at(START - timedelta(minutes=119)) == 1


def test_a_reminder_found_after_the_slot_started_is_not_sent(aws: None) -> None:
    shop = ReminderShop(reminder_lead_times=(60,))
    shop.book(shop.slot(START))

    assert shop.sweep_at(START + timedelta(minutes=1)) == 0
    assert shop.reminders_queued() == []
    assert shop.sweep_at(START + timedelta(minutes=6)) == 0  # and it is off the index


NEW_YORK_DAYTIME = ActiveHours(time(8, 0), time(21, 0))


def test_a_reminder_due_at_night_waits_for_the_morning_in_the_business_zone(aws: None) -> None:
    # The slot starts at 09:00 UTC: 04:00 in New York. A day ahead is 04:00 there too.
    shop = ReminderShop(time_zone="America/New_York", active_hours=NEW_YORK_DAYTIME)
    shop.book(shop.slot(START))

    assert shop.sweep_at(START - DAY + timedelta(minutes=1)) == 1
    [reminder] = shop.reminders_queued()
    # Held until 08:00 in New York (13:00 UTC), still before the slot.
    assert reminder.send_after == datetime(2030, 2, 28, 13, 0, tzinfo=UTC)
    assert reminder.time_zone == "America/New_York"


def test_a_reminder_whose_morning_comes_after_the_slot_is_not_sent(aws: None) -> None:
    shop = ReminderShop(
        time_zone="America/New_York", active_hours=NEW_YORK_DAYTIME, reminder_lead_times=(120,)
    )
    shop.book(shop.slot(START))

    # 02:00 in New York: the next opening, 08:00, is after the 04:00 slot.
    assert shop.sweep_at(START - timedelta(minutes=119)) == 0
    assert shop.reminders_queued() == []


def test_the_sweep_reads_the_due_bookings_not_every_future_one(aws: None) -> None:
    shop = ReminderShop()
    due_slot, later_slot = shop.slot(START), shop.slot(START + 30 * DAY)
    template = shop.book(due_slot)
    future = [
        replace(template, slot_id=later_slot, booking_id=f"f{n:05d}", slot=_later(template))
        for n in range(1000)
    ]
    due = [replace(template, booking_id=f"d{n:02d}") for n in range(9)]
    with BookingItem.batch_write() as batch:
        for booking in future + due:
            batch.save(mapping.booking_to_item(booking))

    shop.clock.current = START - DAY + timedelta(minutes=1)
    with aws_call_log() as log:
        reminded = shop.reminders.send_due()

    assert reminded == 10
    queries = [call for call in log if call.name == "dynamodb.Query"]
    assert len(queries) == keys.REMINDER_SHARDS
    items_read = sum(call.items_read for call in log)
    assert items_read <= 10 + 1  # the due bookings and their business


def _later(booking: Booking) -> Any:
    return replace(
        booking.slot,
        starts_at=booking.slot.starts_at + 30 * DAY,
        ends_at=booking.slot.ends_at + 30 * DAY,
    )


def test_only_bookings_holding_a_seat_are_on_the_due_reminders_index() -> None:
    booking = Booking(
        business_id="shop",
        slot_id="s",
        booking_id="b",
        status=BookingStatus.CONFIRMED,
        source=BookingSource.DIRECT,
        contact=Contact("Bo"),
        slot=SlotSummary("Shop", "Europe/Oslo", "en", "Cut", START, START + timedelta(hours=1)),
        created_at=START - 3 * DAY,
    )
    assert mapping.booking_to_item(booking).reminder_due is not None
    for status in (BookingStatus.CANCELLED, BookingStatus.MOVED, BookingStatus.REJECTED):
        assert mapping.booking_to_item(replace(booking, status=status)).reminder_due is None
