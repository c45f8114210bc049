"""Seat rules: what a freeing write does with the seat, and how a stream change is read."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.model import Booking, Business, SeatAfterRelease, Slot, SlotSummary


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
        cause=f"{old.booking_id}.v{old.version}",
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
