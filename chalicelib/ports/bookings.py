"""Bookings with their history, and the reminders due for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.lifecycle import Change, Move
from chalicelib.domain.model import (
    Booking,
    BookingStatus,
    Business,
    Contact,
    RefillDecision,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer


@dataclass(frozen=True)
class SlotActivity:
    """What happened around one slot: every booking (oldest first), waiting entry (in
    sign-up order), offer, and refill record (newest first, a hold as `held`)."""

    bookings: list[Booking]
    entries: list[WaitingEntry]
    offers: list[Offer]
    decisions: list[RefillDecision]


class BookingsRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_booking_context(
        self, business_id: str, slot_id: str, booking_id: str
    ) -> tuple[Booking | None, Slot | None, Business | None]:
        """A booking with its slot and business, in one read."""
        ...

    def list_bookings(
        self, business_id: str, slot_id: str, *, consistent: bool = False
    ) -> list[Booking]:
        """Every booking of a slot, whatever its status, oldest first."""
        ...

    def bookings_with_status(
        self, business_id: str, status: BookingStatus, limit: int
    ) -> list[Booking]:
        """Bookings of a status that hold a seat, across every slot, soonest first."""
        ...

    def slot_activity(self, business_id: str, slot_id: str) -> SlotActivity:
        """Everything of the slot's own, in one strongly consistent read (one Query of the
        slot's partition), however long the business's history."""
        ...

    def seat_of(self, business_id: str, slot_id: str, contact: Contact) -> Booking | None:
        """The booking by which this customer holds a seat of the slot, if any."""
        ...

    def history(self, business_id: str, booking_id: str) -> list[Change]:
        """Every change of a booking, newest first."""
        ...

    # --- staged writes -------------------------------------------------------------------
    def add(self, booking: Booking) -> None:
        """Stage: a new booking and its first history step. Refused (AlreadyDecided) if a
        booking of that id exists: the one cause made it already."""
        ...

    def update(self, before: Booking, after: Booking, change: Change) -> None:
        """Stage: the booking's new state and its history step, conditioned on the version
        read (BookingChanged)."""
        ...

    def move(self, move: Move) -> None:
        """Stage: the booking as moved away (conditioned on the version read,
        BookingChanged), as it arrives in its new slot (refused, BookingChanged, if a
        booking of that id is there and not moved away), and the history step."""
        ...


class RemindersRepository(Protocol):
    def due(self, now: datetime, limit: int) -> list[tuple[Booking, str]]:
        """Bookings whose next reminder is due by `now`, each with the due key read."""
        ...

    def reminded(self, booking: Booking, read_due: str) -> None:
        """Stage: the reminder is handled (`booking.reminded_until`) and the booking's next
        reminder, if any, becomes due; refused (AlreadyDecided) unless the due key is still
        `read_due`, so of two sweeps that read it one does it."""
        ...
