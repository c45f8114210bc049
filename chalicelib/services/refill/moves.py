"""An earlier-slot request met: the customer's booking moves into the freed seat and gives
up its later one — by the refill (automatic mode) or by the customer accepting an offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.allocation import MAX_CHAIN_STEPS
from chalicelib.domain.lifecycle import Move, move
from chalicelib.domain.model import Actor, Booking, Business, EarlierThan, SlotSummary
from chalicelib.domain.refusals import BookingChanged
from chalicelib.domain.seats import seat_after_release_for
from chalicelib.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class EarlierMove:
    moving: Move
    booking: Booking
    """The booking as it was, in its later slot."""
    list_open: bool
    """Whether the later seat goes to that slot's waiting list."""


def chain_step_note(from_slot_id: str, step: int) -> str:
    return f"moved from slot {from_slot_id} (step {step} of at most {MAX_CHAIN_STEPS} in a row)"


def earlier_move(
    uow: UnitOfWork,
    business: Business,
    earlier_than: EarlierThan,
    *,
    to_slot_id: str,
    to_slot: SlotSummary,
    by: Actor,
    at: datetime,
    step: int,
) -> EarlierMove | None:
    """The move of the booking an earlier-slot request names into the seat; None when the
    booking no longer holds a seat."""
    booking, later, _ = uow.bookings.get_booking_context(
        business.business_id, earlier_than.slot_id, earlier_than.booking_id
    )
    if booking is None or later is None or not booking.status.holds_seat:
        return None
    moving = move(
        booking,
        to_slot_id=to_slot_id,
        to_slot=to_slot,
        by=by,
        at=at,
        seat_after_release=seat_after_release_for(later, business),
        chain_step=step,
    )
    return EarlierMove(moving, booking, business.list_claims_freed_seats(later.summary(business)))


def stage_move(uow: UnitOfWork, earlier: EarlierMove) -> None:
    """Stage the move itself: the booking where it was and where it arrives, its history
    step, and its later seat given up (to that slot's list, or back on sale). The seat it
    moves into is the caller's to stage."""
    uow.bookings.move(earlier.moving)
    uow.seats.give_up(
        earlier.moving.moved_away, list_open=earlier.list_open, refusal=BookingChanged
    )
