"""The steps every change of a booking shares: find it where it is now, stage its new
status (and its seat's release), the messages it sends, and a preview of a release."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.errors import MissingSetup, NotFound
from chalicelib.domain.lifecycle import Action, Change, apply
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Allocation,
    Booking,
    BookingStatus,
    Business,
    SeatAfterRelease,
    Slot,
    customer_key,
)
from chalicelib.domain.seats import seat_after_release_for
from chalicelib.ports.unit_of_work import UnitOfWork
from chalicelib.services.booking_messages import message_about, staff_copies
from chalicelib.services.links import Links
from chalicelib.services.refill.planning import plan

MAX_MOVES_FOLLOWED = 10


@dataclass(frozen=True)
class ReleasePreview:
    """What a change would do to the seat, without doing it."""

    action: Action
    seat: str
    """`kept`, `held_for_waiting_list` or `back_on_sale`."""
    allocation: Allocation | None
    """Who the refill would give the seat to, when it is held for the list."""


def preview_release(
    uow: UnitOfWork,
    business_id: str,
    slot_id: str,
    booking_id: str,
    action: Action,
    by: Actor,
    now: datetime,
) -> ReleasePreview:
    """What `action` would do: the seat kept, held for the list — and then who the
    refill would give it to, by the same plan the refill follows — or back on sale."""
    booking, slot, business = locate(uow, business_id, slot_id, booking_id)
    after = apply(
        booking, action, by=by, at=now, reason="preview" if action is Action.REJECT else None
    )
    if after.status.holds_seat:
        return ReleasePreview(action, "kept", None)
    decision = seat_decision(slot, business)
    if decision is SeatAfterRelease.BACK_ON_SALE:
        return ReleasePreview(action, decision.value, None)
    # Once released, this customer no longer holds a seat of the slot.
    holders = slot.holders - {customer_key(booking.contact)}
    allocation = plan(
        uow.waiting_list, business, booking.slot_id, booking.slot, now, holders=holders
    )
    return ReleasePreview(action, decision.value, allocation)


def locate(
    uow: UnitOfWork, business_id: str, slot_id: str, booking_id: str
) -> tuple[Booking, Slot, Business]:
    """The booking where it is now: a moved booking is followed to its new slot, so the
    customer's link keeps working."""
    for _ in range(MAX_MOVES_FOLLOWED):
        booking, slot, business = uow.bookings.get_booking_context(business_id, slot_id, booking_id)
        if booking is None or slot is None or booking.status is BookingStatus.DELETED:
            break
        if business is None:
            raise MissingSetup("the business has no profile yet")
        if booking.status is BookingStatus.MOVED and booking.moved_to_slot_id:
            slot_id = booking.moved_to_slot_id
            continue
        # Staff and location may have changed since the booking was made; what is said
        # about it from now on should name the current ones.
        current = replace(booking.slot, staff=slot.staff, location=slot.location)
        return replace(booking, slot=current), slot, business
    raise NotFound(f"no booking {booking_id!r}")


def stage_change(
    uow: UnitOfWork,
    before: Booking,
    after: Booking,
    change: Change,
    slot: Slot,
    business: Business,
) -> None:
    """A booking's new status; when it gives up its seat, the seat is held for the waiting
    list or put back on sale in the same commit, as `after` says."""
    uow.bookings.update(before, after, change)
    if before.status.holds_seat and not after.status.holds_seat:
        uow.seats.give_up(after, list_open=business.list_claims_freed_seats(slot.summary(business)))


def released(after: Booking, before: Booking, slot: Slot, business: Business) -> Booking:
    if before.status.holds_seat and not after.status.holds_seat:
        return replace(after, seat_after_release=seat_decision(slot, business))
    return after


def status_messages(
    action: Action | None, after: Booking, by: Actor, business: Business, links: Links
) -> list[OutboxMessage]:
    """The customer's message for `action`; on a confirmation, also the staff copy (to the
    staff member's or location's address when the business gave one), as its rules say."""
    message_type = (
        {
            Action.CONFIRM: MessageType.BOOKING_CONFIRMED,
            Action.REJECT: MessageType.BOOKING_REJECTED,
            Action.CANCEL: MessageType.BOOKING_CANCELLED_BY_CUSTOMER
            if by is Actor.CUSTOMER
            else MessageType.BOOKING_CANCELLED_BY_STAFF,
        }.get(action)
        if action
        else None
    )
    messages = message_about(after, message_type, links, business) if message_type else []
    if action is Action.CONFIRM:
        messages += staff_copies(after, business)
    return messages


def seat_decision(slot: Slot, business: Business) -> SeatAfterRelease:
    return seat_after_release_for(slot, business)


def change_of(before: Booking, after: Booking, by: Actor) -> Change:
    return Change(
        booking_id=after.booking_id,
        version=after.version,
        at=after.updated_at or after.created_at,
        by=by,
        from_status=before.status,
        to_status=after.status,
        reason=after.reason if after.reason != before.reason else None,
    )
