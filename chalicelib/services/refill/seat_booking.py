"""The one place a booking from the waiting list is made, and its id named: the refill's
booking for a held seat, an accepted offer's, and staff's booking from the list."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    Contact,
    PaymentStatus,
    SlotSummary,
)
from chalicelib.services.ids import id_for_cause, new_id


def booking_id_for(cause: str) -> str:
    """The id of the booking a freed seat's refill makes: one per cause, so a cause
    delivered twice finds its booking made (the write is refused as already decided)."""
    return id_for_cause(cause)


def waiting_list_booking(
    *,
    business_id: str,
    slot_id: str,
    slot: SlotSummary,
    contact: Contact,
    entry_id: str,
    at: datetime,
    cause: str | None,
) -> Booking:
    """A confirmed, unpaid booking for a customer from the list (a waitlist booking is
    created unpaid). With the `cause` of the freed seat it fills, its id is that cause's
    (`booking_id_for`); staff's own choice (no cause) gets a new id."""
    return Booking(
        business_id=business_id,
        slot_id=slot_id,
        booking_id=booking_id_for(cause) if cause is not None else new_id(),
        status=BookingStatus.CONFIRMED,
        source=BookingSource.WAITING_LIST,
        contact=contact,
        slot=slot,
        created_at=at,
        waiting_entry_id=entry_id,
        payment_status=PaymentStatus.UNPAID,
    )
