"""The use cases wired to the in-memory fakes through the composition root: a shop with a
clock the test turns, its bookings stream handed to the refill when the test says so, and
what it would send kept in memory. No AWS, no moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.bootstrap import Services, build_services
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingStatus,
    Business,
    Contact,
    EntryStatus,
    RefillDecision,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer
from chalicelib.services.catalogue import NewService, NewSlot
from chalicelib.services.notifications import SEND_MESSAGE
from chalicelib.settings import get_settings
from tests.fakes import (
    FakeClock,
    FakeDelivery,
    FakeRenderer,
    FakeScheduler,
    InMemoryUnitOfWorkFactory,
)
from tests.fakes.message_settings import InMemoryMessageSettings
from tests.fakes.streams import BookingsStream

BIZ = "shop"
START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def customer(name: str) -> Contact:
    return Contact(name, f"{name.lower()}@example.com")


class Shop:
    """A business with one service and one slot (capacity 1) that Ada has booked."""

    def __init__(self, *, capacity: int = 1, book_ada: bool = True, **business: Any) -> None:
        self.clock = FakeClock(START - timedelta(days=1))
        self.uow = InMemoryUnitOfWorkFactory()
        self.state = self.uow.state
        self.scheduler = FakeScheduler()
        self.delivery = FakeDelivery()
        self.services: Services = build_services(
            get_settings(),
            clock=self.clock,
            uow=self.uow,
            delivery=self.delivery,
            scheduler=self.scheduler,
            message_settings=InMemoryMessageSettings(self.state),
            renderer=FakeRenderer(),
        )
        self.stream = BookingsStream(self.state)
        self.catalogue = self.services.catalogue
        self.bookings = self.services.bookings
        self.waiting_list = self.services.waiting_list
        self.refill = self.services.refill
        self.offers = self.services.offers
        self.business = self.catalogue.set_up_business(
            replace(Business(BIZ, "Shop", "Europe/Oslo", "en"), **business)
        )
        self.service_id = self.catalogue.add_services(BIZ, [NewService("Cut", 30)])[0].service_id
        self.slot_id = self.add_slot(capacity=capacity)
        self.holder: Booking | None = self.book("Ada") if book_ada else None

    # --- acting ------------------------------------------------------------------------------
    def add_slot(self, *, capacity: int = 1, hours: int = 0, **extra: Any) -> str:
        starts = START + timedelta(hours=hours)
        [slot] = self.catalogue.add_slots(
            BIZ, [NewSlot(self.service_id, starts, capacity=capacity, **extra)]
        )
        return slot.slot_id

    def book(self, name: str, slot_id: str | None = None) -> Booking:
        return self.bookings.book(BIZ, slot_id or self.slot_id, customer(name))

    def join(self, name: str, slot_id: str | None = None) -> WaitingEntry:
        self.clock.advance(seconds=1)
        entry, _ = self.waiting_list.join(BIZ, slot_id or self.slot_id, customer(name))
        return entry

    def wait(self, *names: str) -> list[WaitingEntry]:
        return [self.join(name) for name in names]

    def cancel(self, booking: Booking | None = None, *, by: Actor = Actor.STAFF) -> Booking:
        """Cancel (Ada's booking unless told), after the stream delivered what came before,
        and deliver the cancellation: the refill runs."""
        gone = booking or self.holder
        assert gone is not None
        self.settle()
        cancelled = self.bookings.cancel(BIZ, gone.slot_id, gone.booking_id, by=by)
        self.settle()
        return cancelled

    def settle(self, copies: int = 1) -> int:
        """Hand the bookings stream's new records to the refill and the offers."""
        return self.stream.deliver(self.refill, self.offers, copies=copies)

    def fire_due_schedules(self) -> None:
        """What EventBridge Scheduler does when the schedules' time comes."""

        def run(payload: dict[str, Any]) -> None:
            # As the scheduled-task function dispatches them.
            if payload.get("task") == SEND_MESSAGE:
                self.services.notifications.deliver_held(
                    payload["business_id"], payload["message_id"]
                )
            else:
                self.offers.expire(
                    payload["business_id"], payload["slot_id"], payload["cause"], payload["round"]
                )

        self.scheduler.fire_due(self.clock.now(), run)
        self.settle()

    # --- reading -----------------------------------------------------------------------------
    @property
    def cause(self) -> str:
        assert self.holder is not None
        return f"{self.holder.booking_id}.v1"

    def slot(self, slot_id: str | None = None) -> Slot:
        with self.uow() as uow:
            found = uow.catalogue.get_slot(BIZ, slot_id or self.slot_id)
        assert found is not None
        return found

    def seat_holders(self, slot_id: str | None = None) -> list[str]:
        """Who holds a seat of the slot, by name."""
        with self.uow() as uow:
            bookings = uow.bookings.list_bookings(BIZ, slot_id or self.slot_id)
        return [b.contact.name for b in bookings if b.status.holds_seat]

    def entries(self, slot_id: str | None = None) -> dict[str, EntryStatus]:
        entries = self.waiting_list.list_for_slot(BIZ, slot_id or self.slot_id)
        return {entry.contact.name: entry.status for entry in entries}

    def record(self, cause: str | None = None, slot_id: str | None = None) -> RefillDecision:
        with self.uow() as uow:
            found = uow.refills.get_refill(BIZ, slot_id or self.slot_id, cause or self.cause)
        assert found is not None, "no refill record"
        return found

    def skipped(self, cause: str | None = None) -> dict[str, str]:
        names = {e.entry_id: e.contact.name for e in self._all_entries()}
        return {names.get(s.entry_id, s.entry_id): s.reason for s in self.record(cause).skipped}

    def _all_entries(self) -> list[WaitingEntry]:
        return list(self.state.entries.values())

    def queued(self, message_type: MessageType | None = None) -> list[OutboxMessage]:
        """Messages queued, oldest first, of one type or all."""
        messages = sorted(self.state.messages.values(), key=lambda m: m.created_at)
        return [m for m in messages if message_type is None or m.message_type is message_type]

    def told(self, message_type: MessageType) -> list[str]:
        """Who was queued a message of this type, by address."""
        return [m.recipient for m in self.queued(message_type)]

    def offers_in(self, round_number: int, cause: str | None = None) -> list[Offer]:
        with self.uow() as uow:
            return uow.offers.offers_of_round(BIZ, self.slot_id, cause or self.cause, round_number)

    def token(self, offer: Offer) -> str:
        return self.services.links.offer_token(BIZ, offer.slot_id, offer.offer_id)

    def booking_of(self, name: str, slot_id: str | None = None) -> Booking | None:
        with self.uow() as uow:
            return uow.bookings.seat_of(BIZ, slot_id or self.slot_id, customer(name))


def holds_seat(status: BookingStatus) -> bool:
    return status.holds_seat
