"""Bookings, with the keys that list them by status and by their next reminder."""

from __future__ import annotations

from datetime import UTC

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import (
    booking_key,
    reminder_due_key,
    reminder_shard,
    slot_partition,
    status_key,
)
from chalicelib.adapters.dynamodb.mapping.shared import (
    contact_from_map,
    contact_to_map,
    summary_from_map,
    summary_to_map,
)
from chalicelib.adapters.dynamodb.models import (
    BookingItem,
    HistoryItem,
)
from chalicelib.domain.lifecycle import Change
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    PaymentStatus,
    SeatAfterRelease,
)
from chalicelib.domain.reminders import Reminder, next_reminder


def summary_sort(booking: Booking) -> str:
    moment = booking.slot.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment}#{booking.slot_id}#{booking.booking_id}"


def upcoming_reminder(booking: Booking) -> Reminder | None:
    """The booking's next reminder, while it holds a seat: cancelling, rejecting or moving
    it away takes it off the due-reminders index in the same write."""
    if not booking.status.holds_seat:
        return None
    return next_reminder(
        booking.slot.starts_at,
        booking.slot.reminder_lead_minutes,
        booking.reminded_until or booking.created_at,
    )


def booking_to_item(booking: Booking) -> BookingItem:
    reminder = upcoming_reminder(booking)
    return BookingItem(
        slot_partition(booking.business_id, booking.slot_id),
        booking_key(booking.booking_id),
        business_id=booking.business_id,
        slot_id=booking.slot_id,
        booking_id=booking.booking_id,
        status=booking.status.value,
        source=booking.source.value,
        contact=contact_to_map(booking.contact),
        slot=summary_to_map(booking.slot),
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        version=booking.version,
        cancelled_by=booking.cancelled_by.value if booking.cancelled_by else None,
        seat_after_release=(
            booking.seat_after_release.value if booking.seat_after_release else None
        ),
        waiting_entry_id=booking.waiting_entry_id,
        status_key=status_key(booking.business_id, booking.status)
        if booking.status.holds_seat
        else None,
        status_sort=f"{summary_sort(booking)}" if booking.status.holds_seat else None,
        reason=booking.reason,
        moved_to_slot_id=booking.moved_to_slot_id,
        moved_from_slot_id=booking.moved_from_slot_id,
        pipeline_status_id=booking.pipeline_status_id,
        pipeline_status_name=booking.pipeline_status_name,
        payment_status=booking.payment_status.value if booking.payment_status else None,
        chain_step=booking.chain_step or None,
        reminded_until=booking.reminded_until,
        due_shard=reminder_shard(booking.booking_id) if reminder else None,
        reminder_due=reminder_due_key(reminder.due, booking.booking_id) if reminder else None,
    )


def booking_from_item(item: BookingItem) -> Booking:
    return Booking(
        business_id=item.business_id,
        slot_id=item.slot_id,
        booking_id=item.booking_id,
        status=BookingStatus(item.status),
        source=BookingSource(item.source),
        contact=contact_from_map(item.contact),
        slot=summary_from_map(item.slot),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
        cancelled_by=Actor(item.cancelled_by) if item.cancelled_by else None,
        seat_after_release=(
            SeatAfterRelease(item.seat_after_release) if item.seat_after_release else None
        ),
        waiting_entry_id=item.waiting_entry_id,
        reason=item.reason,
        moved_to_slot_id=item.moved_to_slot_id,
        moved_from_slot_id=item.moved_from_slot_id,
        pipeline_status_id=item.pipeline_status_id,
        pipeline_status_name=item.pipeline_status_name,
        payment_status=PaymentStatus(item.payment_status) if item.payment_status else None,
        chain_step=int(item.chain_step or 0),
        reminded_until=item.reminded_until,
    )


def created(booking: Booking) -> Change:
    """The first step of a booking's history."""
    return Change(
        booking_id=booking.booking_id,
        version=booking.version,
        at=booking.created_at,
        by=Actor.WAITING_LIST if booking.source is BookingSource.WAITING_LIST else Actor.CUSTOMER,
        from_status=None,
        to_status=booking.status,
        to_slot_id=booking.slot_id,
    )


def history_item(business_id: str, change: Change) -> HistoryItem:
    return HistoryItem(
        keys.history_partition(business_id, change.booking_id),
        keys.history_key(change.version),
        business_id=business_id,
        booking_id=change.booking_id,
        version=change.version,
        at=change.at,
        by=change.by.value,
        from_status=change.from_status.value if change.from_status else None,
        to_status=change.to_status.value,
        reason=change.reason,
        from_slot_id=change.from_slot_id,
        to_slot_id=change.to_slot_id,
        from_step=change.from_step,
        to_step=change.to_step,
    )


def change_from_item(item: HistoryItem) -> Change:
    return Change(
        booking_id=item.booking_id,
        version=int(item.version),
        at=item.at,
        by=Actor(item.by),
        from_status=BookingStatus(item.from_status) if item.from_status else None,
        to_status=BookingStatus(item.to_status),
        reason=item.reason,
        from_slot_id=item.from_slot_id,
        to_slot_id=item.to_slot_id,
        from_step=item.from_step,
        to_step=item.to_step,
    )
