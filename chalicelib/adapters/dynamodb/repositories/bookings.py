"""Bookings with their history, and the reminders due for them."""

from __future__ import annotations

from datetime import datetime

from pynamodb.expressions.update import Action

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.connection import SharedConnection, business_of
from chalicelib.adapters.dynamodb.keys import business_key, slot_partition
from chalicelib.adapters.dynamodb.models import (
    BookingItem,
    BookingsItem,
    BusinessItem,
    CatalogueItem,
    HistoryItem,
    OfferItem,
    RefillItem,
    SlotItem,
    WaitingEntryItem,
    WindowCountItem,
)
from chalicelib.adapters.dynamodb.repositories.items import is_new
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.allocation import sign_up_order
from chalicelib.domain.lifecycle import Change, Move
from chalicelib.domain.model import (
    Booking,
    BookingStatus,
    Business,
    Contact,
    Slot,
    customer_key,
)
from chalicelib.domain.refusals import AlreadyDecided, BookingChanged
from chalicelib.ports.bookings import SlotActivity


class DynamoBookingsRepository:
    def __init__(self, db: SharedConnection, writes: PendingWrites) -> None:
        self._db = db
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_booking_context(
        self, business_id: str, slot_id: str, booking_id: str
    ) -> tuple[Booking | None, Slot | None, Business | None]:
        partition = slot_partition(business_id, slot_id)
        catalogue = business_key(business_id)
        found = self._db.batch_get(
            [
                (BookingsItem, partition, keys.booking_key(booking_id)),
                (CatalogueItem, catalogue, keys.slot_key(slot_id)),
                (CatalogueItem, catalogue, BusinessItem.SORT_KEY),
                (CatalogueItem, catalogue, WindowCountItem.SORT_KEY),
            ]
        )
        booking_item = found.get((partition, keys.booking_key(booking_id)))
        slot_item = found.get((catalogue, keys.slot_key(slot_id)))
        return (
            mapping.booking_from_item(booking_item)
            if isinstance(booking_item, BookingItem)
            else None,
            mapping.slot_from_item(slot_item) if isinstance(slot_item, SlotItem) else None,
            business_of(found, catalogue),
        )

    def list_bookings(
        self, business_id: str, slot_id: str, *, consistent: bool = False
    ) -> list[Booking]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id),
            BookingsItem.sk.startswith(keys.booking_key("")),
            consistent_read=consistent,
        )
        bookings = [mapping.booking_from_item(i) for i in items if isinstance(i, BookingItem)]
        return sorted(bookings, key=lambda booking: (booking.created_at, booking.booking_id))

    def slot_activity(self, business_id: str, slot_id: str) -> SlotActivity:
        items = list(BookingsItem.query(slot_partition(business_id, slot_id), consistent_read=True))
        bookings = [mapping.booking_from_item(i) for i in items if isinstance(i, BookingItem)]
        decisions = [mapping.decision_from_item(i) for i in items if isinstance(i, RefillItem)]
        return SlotActivity(
            bookings=sorted(bookings, key=lambda booking: (booking.created_at, booking.booking_id)),
            entries=sign_up_order(
                [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]
            ),
            offers=[mapping.offer_from_item(i) for i in items if isinstance(i, OfferItem)],
            decisions=sorted(decisions, key=lambda decision: decision.decided_at, reverse=True),
        )

    def bookings_with_status(
        self, business_id: str, status: BookingStatus, limit: int
    ) -> list[Booking]:
        """One Query on an index that holds only bookings with a seat."""
        items = BookingsItem.by_status.query(keys.status_key(business_id, status), limit=limit)
        return [mapping.booking_from_item(i) for i in items if isinstance(i, BookingItem)]

    def seat_of(self, business_id: str, slot_id: str, contact: Contact) -> Booking | None:
        key = customer_key(contact)
        held = (
            booking
            for booking in self.list_bookings(business_id, slot_id, consistent=True)
            if booking.status.holds_seat and customer_key(booking.contact) == key
        )
        return next(held, None)

    def history(self, business_id: str, booking_id: str) -> list[Change]:
        items = BookingsItem.query(
            keys.history_partition(business_id, booking_id), scan_index_forward=False
        )
        return [mapping.change_from_item(item) for item in items if isinstance(item, HistoryItem)]

    # --- staged writes -------------------------------------------------------------------

    def add(self, booking: Booking) -> None:
        decided = AlreadyDecided("a booking for this cause exists already")
        self._writes.put(mapping.booking_to_item(booking), is_new(), decided)
        self._writes.put(
            mapping.history_item(booking.business_id, mapping.created(booking)), is_new(), decided
        )

    def update(self, before: Booking, after: Booking, change: Change) -> None:
        changed = BookingChanged("the booking changed since it was read")
        self._writes.put(
            mapping.booking_to_item(after), BookingItem.version == before.version, changed
        )
        self._writes.put(mapping.history_item(after.business_id, change), is_new(), changed)

    def move(self, move: Move) -> None:
        changed = BookingChanged("the booking changed since it was read")
        self._writes.put(
            mapping.booking_to_item(move.moved_away),
            BookingItem.version == move.moved_away.version - 1,
            changed,
        )
        self._writes.put(
            mapping.booking_to_item(move.arrived),
            BookingItem.pk.does_not_exist() | (BookingItem.status == BookingStatus.MOVED.value),
            BookingChanged("the booking is in its new slot already"),
        )
        self._writes.put(
            mapping.history_item(move.moved_away.business_id, move.change), is_new(), changed
        )


class DynamoRemindersRepository:
    def __init__(self, writes: PendingWrites) -> None:
        self._writes = writes

    def due(self, now: datetime, limit: int) -> list[tuple[Booking, str]]:
        """One Query per shard of the sparse due-reminders index, however many bookings
        lie ahead."""
        found: list[tuple[Booking, str]] = []
        for shard in range(keys.REMINDER_SHARDS):
            items = BookingsItem.due_reminders.query(
                keys.reminder_partition(shard),
                BookingsItem.reminder_due <= keys.due_by(now),
                limit=limit,
            )
            found += [
                (mapping.booking_from_item(item), str(item.reminder_due))
                for item in items
                if isinstance(item, BookingItem)
            ]
        return found

    def reminded(self, booking: Booking, read_due: str) -> None:
        reminder = mapping.upcoming_reminder(booking)
        assert booking.reminded_until is not None  # the moment this reminder was handled
        actions: list[Action] = [BookingItem.reminded_until.set(booking.reminded_until)]
        if reminder is None:
            actions += [BookingItem.due_shard.remove(), BookingItem.reminder_due.remove()]
        else:
            actions.append(
                BookingItem.reminder_due.set(
                    keys.reminder_due_key(reminder.due, booking.booking_id)
                )
            )
        self._writes.update(
            BookingItem(
                slot_partition(booking.business_id, booking.slot_id),
                keys.booking_key(booking.booking_id),
            ),
            actions,
            BookingItem.reminder_due == read_due,
            AlreadyDecided("another sweep handled this reminder"),
        )
