"""The bookings table's stream, in memory: what the commits did to bookings, offers and
seat releases, handed to the refill and the offers as the stream handler
(`chalicelib.adapters.bookings_stream`) hands them, record by record."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.model import Booking
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.seats import SeatRelease
from tests.fakes.state import InMemoryState, ItemChange


class HeldSeatsRefill(Protocol):
    def on_booking_change(self, old: Booking | None, new: Booking | None) -> object: ...

    def on_seat_release(self, release: SeatRelease) -> object: ...


class AcceptedOffers(Protocol):
    def tell_the_others(self, accepted: Offer) -> object: ...


class BookingsStream:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state
        self._read = 0

    def take(self) -> list[ItemChange]:
        """The records not read yet, delivered to no one (a record lost, parked or late)."""
        records = self._state.changes[self._read :]
        self._read = len(self._state.changes)
        return records

    def deliver(self, refill: HeldSeatsRefill, offers: AcceptedOffers, *, copies: int = 1) -> int:
        """Hand every new record over (`copies` times each: a stream may deliver twice),
        and what they cause in turn, until nothing new comes; returns how many."""
        delivered = 0
        for _ in range(20):
            records = self.take()
            if not records:
                return delivered
            for record in records:
                for _ in range(copies):
                    deliver(record, refill, offers)
                delivered += 1
        raise AssertionError("the bookings stream did not settle")


def deliver(record: ItemChange, refill: HeldSeatsRefill, offers: AcceptedOffers) -> None:
    """As `on_bookings_change`: an accepted offer closes the rest of its round; a new seat
    release refills its seats; a booking that gave up its seat starts its refill."""
    if record.table == "offers":
        old, new = record.old, record.new
        newly_accepted = new is not None and new.status is OfferStatus.ACCEPTED
        if newly_accepted and (old is None or old.status is not OfferStatus.ACCEPTED):
            offers.tell_the_others(new)
        return
    if record.table == "releases":
        if record.old is None:
            refill.on_seat_release(record.new)
        return
    refill.on_booking_change(record.old, record.new)
