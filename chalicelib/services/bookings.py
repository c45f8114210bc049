"""Use cases of bookings: take a seat, cancel it, list a slot's bookings."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.store import (
    DynamoStore,
    RetryableConflict,
    TransactionCancelled,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import MissingSetup, NotActive, NotFound, SlotFull
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    Slot,
)
from chalicelib.services.ids import new_id
from chalicelib.services.ports import Clock

MAX_ATTEMPTS = 5


class Bookings:
    def __init__(self, store: DynamoStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def book(self, business_id: str, slot_id: str, contact: Contact) -> Booking:
        """Take a free seat, or refuse with SlotFull when there is none."""
        slot, business = slot_and_business(self._store, business_id, slot_id)
        booking = Booking(
            business_id=business_id,
            slot_id=slot_id,
            booking_id=new_id(),
            status=BookingStatus.CONFIRMED,
            source=BookingSource.DIRECT,
            contact=contact,
            slot=slot.summary(business),
            created_at=self._clock.now(),
        )
        for _ in range(MAX_ATTEMPTS):
            try:
                self._store.book(booking)
            except RetryableConflict:
                continue
            except TransactionCancelled as error:
                if "slot" in error.failed:
                    raise SlotFull(_full_message(business.waiting_list_open)) from error
                raise
            logger.info("booked", extra=_ids(booking))
            return booking
        raise RetryableConflict("the slot is busy; try again")

    def get(self, business_id: str, slot_id: str, booking_id: str) -> Booking:
        booking, _ = self._store.get_booking_and_slot(business_id, slot_id, booking_id)
        if booking is None:
            raise NotFound(f"no booking {booking_id!r}")
        return booking

    def cancel(self, business_id: str, slot_id: str, booking_id: str, *, by: Actor) -> Booking:
        """Cancel a booking. Its seat goes to the waiting list when anyone waits (the
        refill takes it from there), or back on sale."""
        for _ in range(MAX_ATTEMPTS):
            booking, slot = self._store.get_booking_and_slot(business_id, slot_id, booking_id)
            if booking is None or slot is None:
                raise NotFound(f"no booking {booking_id!r}")
            if not booking.status.holds_seat:
                raise NotActive(f"the booking is already {booking.status.value}")
            try:
                cancelled = self._store.cancel(booking, slot, by=by, now=self._clock.now())
            except RetryableConflict:
                continue
            logger.info(
                "booking cancelled",
                extra={
                    **_ids(cancelled),
                    "by": by.value,
                    "seat": cancelled.seat_after_release.value
                    if cancelled.seat_after_release
                    else None,
                },
            )
            return cancelled
        raise RetryableConflict("the booking kept changing; try again")

    def list_for_slot(self, business_id: str, slot_id: str) -> list[Booking]:
        if self._store.get_slot(business_id, slot_id) is None:
            raise NotFound(f"no slot {slot_id!r}")
        return self._store.list_bookings(business_id, slot_id)


def _full_message(waiting_list_open: bool) -> str:
    if waiting_list_open:
        return "the slot is full; its waiting list is open: join it to get the next free seat"
    return "the slot is full"


def _ids(booking: Booking) -> dict[str, str]:
    return {
        "business_id": booking.business_id,
        "slot_id": booking.slot_id,
        "booking_id": booking.booking_id,
    }


def slot_and_business(store: DynamoStore, business_id: str, slot_id: str) -> tuple[Slot, Business]:
    """A slot and its business, read together: what booking and joining both start from."""
    slot, business = store.get_slot_and_business(business_id, slot_id)
    if slot is None:
        raise NotFound(f"no slot {slot_id!r}")
    if business is None:
        raise MissingSetup("the business has no profile yet")
    return slot, business
