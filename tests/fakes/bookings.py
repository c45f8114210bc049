"""Bookings with their history, and the reminders due for them, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.adapters.dynamodb.keys import (
    REMINDER_SHARDS,
    due_by,
    reminder_due_key,
    reminder_partition,
    reminder_shard,
)
from chalicelib.domain.allocation import sign_up_order
from chalicelib.domain.lifecycle import Change, Move
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    Slot,
    customer_key,
)
from chalicelib.domain.refusals import AlreadyDecided, BookingChanged, Refused
from chalicelib.domain.reminders import next_reminder
from chalicelib.ports.bookings import SlotActivity
from tests.fakes.refills import as_decision
from tests.fakes.state import InMemoryState, StagedWrites, is_new, refused


def created(booking: Booking) -> Change:
    """A new booking's first step of history."""
    return Change(
        booking_id=booking.booking_id,
        version=booking.version,
        at=booking.created_at,
        by=Actor.WAITING_LIST if booking.source is BookingSource.WAITING_LIST else Actor.CUSTOMER,
        from_status=None,
        to_status=booking.status,
        to_slot_id=booking.slot_id,
    )


def due_key(booking: Booking) -> str | None:
    """The key of the booking's next reminder on DynamoDB's due-reminders index (while it
    holds a seat), as the adapter writes it with every write of the booking."""
    if not booking.status.holds_seat:
        return None
    reminder = next_reminder(
        booking.slot.starts_at,
        booking.slot.reminder_lead_minutes,
        booking.reminded_until or booking.created_at,
    )
    return None if reminder is None else reminder_due_key(reminder.due, booking.booking_id)


def _sort_key(booking: Booking) -> str:
    moment = booking.slot.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment}#{booking.slot_id}#{booking.booking_id}"


class InMemoryBookings:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_booking_context(
        self, business_id: str, slot_id: str, booking_id: str
    ) -> tuple[Booking | None, Slot | None, Business | None]:
        return (
            self._state.bookings.get((business_id, slot_id, booking_id)),
            self._state.slots.get((business_id, slot_id)),
            self._state.business(business_id),
        )

    def list_bookings(
        self, business_id: str, slot_id: str, *, consistent: bool = False
    ) -> list[Booking]:
        found = [
            b for (o, s, _), b in self._state.bookings.items() if (o, s) == (business_id, slot_id)
        ]
        return sorted(found, key=lambda booking: (booking.created_at, booking.booking_id))

    def slot_activity(self, business_id: str, slot_id: str) -> SlotActivity:
        here = (business_id, slot_id)
        decisions = [as_decision(r) for key, r in self._state.refills.items() if key[:2] == here]
        return SlotActivity(
            bookings=self.list_bookings(business_id, slot_id),
            entries=sign_up_order(
                [
                    e
                    for key, e in self._state.entries.items()
                    if key[:3] == (business_id, "SLOT", slot_id)
                ]
            ),
            offers=[offer for key, offer in sorted(self._state.offers.items()) if key[:2] == here],
            decisions=sorted(decisions, key=lambda decision: decision.decided_at, reverse=True),
        )

    def bookings_with_status(
        self, business_id: str, status: BookingStatus, limit: int
    ) -> list[Booking]:
        # DynamoDB's index of bookings by status holds only those with a seat.
        found = [
            booking
            for (owner, _, _), booking in self._state.bookings.items()
            if owner == business_id and booking.status is status and status.holds_seat
        ]
        return sorted(found, key=_sort_key)[:limit]

    def seat_of(self, business_id: str, slot_id: str, contact: Contact) -> Booking | None:
        key = customer_key(contact)
        held = (
            booking
            for booking in self.list_bookings(business_id, slot_id)
            if booking.status.holds_seat and customer_key(booking.contact) == key
        )
        return next(held, None)

    def history(self, business_id: str, booking_id: str) -> list[Change]:
        steps = [
            (version, change)
            for (owner, booking, version), change in self._state.history.items()
            if (owner, booking) == (business_id, booking_id)
        ]
        return [change for _, change in sorted(steps, key=lambda step: step[0], reverse=True)]

    # --- staged writes -------------------------------------------------------------------
    def add(self, booking: Booking) -> None:
        already = refused(AlreadyDecided, "a booking of that id exists")
        self._writes.put(
            "bookings",
            (booking.business_id, booking.slot_id, booking.booking_id),
            booking,
            is_new,
            already,
        )
        self._history(booking.business_id, created(booking), already)

    def update(self, before: Booking, after: Booking, change: Change) -> None:
        changed = refused(BookingChanged, "the booking changed since it was read")
        self._writes.put(
            "bookings",
            (after.business_id, after.slot_id, after.booking_id),
            after,
            lambda stored: stored is not None and stored.version == before.version,
            changed,
        )
        self._history(after.business_id, change, changed)

    def move(self, move: Move) -> None:
        away, arrived = move.moved_away, move.arrived
        changed = refused(BookingChanged, "the booking changed since it was read")
        self._writes.put(
            "bookings",
            (away.business_id, away.slot_id, away.booking_id),
            away,
            lambda stored: stored is not None and stored.version == away.version - 1,
            changed,
        )
        self._writes.put(
            "bookings",
            (arrived.business_id, arrived.slot_id, arrived.booking_id),
            arrived,
            lambda stored: stored is None or stored.status is BookingStatus.MOVED,
            changed,
        )
        self._history(away.business_id, move.change, changed)

    def _history(self, business_id: str, change: Change, refusal: Refused) -> None:
        self._writes.put(
            "history",
            (business_id, change.booking_id, change.version),
            change,
            is_new,
            refusal,
        )


class InMemoryReminders:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    def due(self, now: datetime, limit: int) -> list[tuple[Booking, str]]:
        # One read per shard of the index, each up to `limit`, as the DynamoDB sweep reads.
        due: dict[str, list[tuple[str, Booking]]] = {}
        for booking in self._state.bookings.values():
            key = due_key(booking)
            if key is not None and key <= due_by(now):
                due.setdefault(reminder_shard(booking.booking_id), []).append((key, booking))
        found: list[tuple[Booking, str]] = []
        for shard in range(REMINDER_SHARDS):
            ordered = sorted(due.get(reminder_partition(shard), []), key=lambda d: d[0])
            found += [(booking, key) for key, booking in ordered[:limit]]
        return found

    def reminded(self, booking: Booking, read_due: str) -> None:
        self._writes.update(
            "bookings",
            (booking.business_id, booking.slot_id, booking.booking_id),
            lambda stored: replace(stored, reminded_until=booking.reminded_until),
            lambda stored: stored is not None and due_key(stored) == read_due,
            refused(AlreadyDecided, "another sweep handled this reminder"),
            paths=("reminded_until", "reminder_due"),
        )
