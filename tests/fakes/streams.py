"""The bookings table's stream, in memory: what the commits did to bookings, offers and
seat releases, handed to the refill and the offers as the stream handler
(`chalicelib.entrypoints.events.streams`) hands them, record by record."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.stream_events import (
    BookingChanged,
    BookingsChange,
    OfferAccepted,
    SeatReleased,
)
from chalicelib.domain.offers import OfferStatus
from chalicelib.entrypoints.events.streams import BOOKINGS_ROUTES
from chalicelib.services.offers import Offers
from chalicelib.services.refill.held_seats import Refill
from tests.fakes.state import InMemoryState, ItemChange


class BookingsStream:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state
        self._read = 0

    def take(self) -> list[ItemChange]:
        """The records not read yet, delivered to no one (a record lost, parked or late)."""
        records = self._state.changes[self._read :]
        self._read = len(self._state.changes)
        return records

    def deliver(self, refill: Refill, offers: Offers, *, copies: int = 1) -> int:
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


def deliver(record: ItemChange, refill: Refill, offers: Offers) -> None:
    """What the change is, routed by the stream function's own table."""
    use = _UseCases(refill, offers)
    change = _change_of(record)
    if change is not None:
        BOOKINGS_ROUTES[type(change)](use, change)


@dataclass(frozen=True)
class _UseCases:
    refill: Refill
    offers: Offers


def _change_of(record: ItemChange) -> BookingsChange | None:
    """As `bookings_change` reads a stream record: an offer newly accepted, a new seat
    release, or any other change of a booking."""
    if record.table == "offers":
        old, new = record.old, record.new
        newly_accepted = new is not None and new.status is OfferStatus.ACCEPTED
        if newly_accepted and (old is None or old.status is not OfferStatus.ACCEPTED):
            return OfferAccepted(new)
        return None
    if record.table == "releases":
        return SeatReleased(record.new) if record.old is None else None
    return BookingChanged(record.old, record.new)
