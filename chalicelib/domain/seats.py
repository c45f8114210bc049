"""Seat rules: what a freeing write does with the seat, and how a stream change is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.model import Booking, Business, SeatAfterRelease, Slot, SlotSummary

HOLD_DECISION_BOUND = timedelta(minutes=2)
"""How long a seat may stay held for the waiting list before the refill has decided
(booked someone, made offers, or put it back on sale). The refill takes well under a
second; a hold still undecided after this is stuck — a refused write, a lost or parked
stream record — and the sweep refills it through the same code."""


def seat_after_release(waiting_count: int) -> SeatAfterRelease:
    """First claim belongs to the list: hold the seat whenever someone is waiting."""
    if waiting_count > 0:
        return SeatAfterRelease.HELD_FOR_WAITING_LIST
    return SeatAfterRelease.BACK_ON_SALE


def seat_after_release_for(slot: Slot, business: Business) -> SeatAfterRelease:
    """What freeing a seat of `slot` does with it. Window entries are counted per
    business, not per slot: while any is open the seat is held, and the refill puts it
    back on sale at once when none fits."""
    claims = business.list_claims_freed_seats(slot.summary(business))
    return seat_after_release(slot.waiting + business.open_windows if claims else 0)


@dataclass(frozen=True)
class FreedSeat:
    business_id: str
    slot_id: str
    cause: str
    """Names the freeing write uniquely, so a redelivered change is recognised."""
    held_for_waiting_list: bool
    slot: SlotSummary
    chain_step: int = 0
    """Freed by the n-th move of an earlier-slot chain (0: by anything else)."""


def freed_cause(booking_id: str, version_before: int) -> str:
    """The cause that names a seat freed by the change of a booking from `version_before`."""
    return f"{booking_id}.v{version_before}"


@dataclass(frozen=True)
class Hold:
    """A seat held for the waiting list, awaiting the refill's decision: who holds it
    (the cause that freed it), since when, and by when the refill must have decided."""

    business_id: str
    slot_id: str
    cause: str
    slot: SlotSummary
    held_at: datetime
    chain_step: int = 0

    @property
    def decide_by(self) -> datetime:
        return self.held_at + HOLD_DECISION_BOUND

    def is_overdue(self, now: datetime) -> bool:
        return now >= self.decide_by

    def freed(self) -> FreedSeat:
        return FreedSeat(
            business_id=self.business_id,
            slot_id=self.slot_id,
            cause=self.cause,
            held_for_waiting_list=True,
            slot=self.slot,
            chain_step=self.chain_step,
        )


def hold_for(released: Booking, at: datetime) -> Hold:
    """The hold a booking's freeing change (`released`, its new version) puts on its seat."""
    return Hold(
        business_id=released.business_id,
        slot_id=released.slot_id,
        cause=freed_cause(released.booking_id, released.version - 1),
        slot=released.slot,
        held_at=at,
        chain_step=released.chain_step,
    )


def holds_of(release: SeatRelease, at: datetime) -> list[Hold]:
    """The holds a capacity raise puts on the seats it gives the waiting list."""
    return [
        Hold(seat.business_id, seat.slot_id, seat.cause, seat.slot, at)
        for seat in freed_seats_of(release)
    ]


def freed_seat(old: Booking | None, new: Booking | None) -> FreedSeat | None:
    """A seat was freed when the old version of a booking held one and the new one does not."""
    if old is None or not old.status.holds_seat:
        return None
    if new is not None and new.status.holds_seat:
        return None
    held = new is not None and new.seat_after_release is SeatAfterRelease.HELD_FOR_WAITING_LIST
    return FreedSeat(
        business_id=old.business_id,
        slot_id=old.slot_id,
        cause=freed_cause(old.booking_id, old.version),
        held_for_waiting_list=held,
        slot=old.slot,
        chain_step=new.chain_step if new is not None else 0,
    )


@dataclass(frozen=True)
class SeatRelease:
    """Seats added to a slot (its capacity raised) while customers wait: held for the
    waiting list in the same write, each then refilled like a seat a booking gave up."""

    business_id: str
    slot_id: str
    release_id: str
    count: int
    slot: SlotSummary


def freed_seats_of(release: SeatRelease) -> list[FreedSeat]:
    return [
        FreedSeat(
            business_id=release.business_id,
            slot_id=release.slot_id,
            cause=f"{release.release_id}.{number}",
            held_for_waiting_list=True,
            slot=release.slot,
        )
        for number in range(release.count)
    ]


def seats_to_hold(added: int, waiting: int, list_open: bool) -> int:
    """Of the seats a capacity raise adds, as many as there are customers waiting go to
    the list first."""
    if not list_open or added <= 0:
        return 0
    return min(added, waiting)
