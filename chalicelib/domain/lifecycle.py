"""A booking's lifecycle: which changes are allowed from which status, and what each one
does to the booking. Pure: the caller says who acts, when, and why.

    pending ──confirm──▶ confirmed ──no-show──▶ no_show
       │  └──reject──▶ rejected        │
       ├──cancel──▶ cancelled ◀─cancel─┤
       └──move──▶ moved (lives on in the new slot, same status) ◀─move─┘
    any but deleted/moved ──delete──▶ deleted
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.errors import Conflict, InvalidRequest
from chalicelib.domain.model import Actor, Booking, BookingStatus, SeatAfterRelease, SlotSummary

PENDING = BookingStatus.PENDING
CONFIRMED = BookingStatus.CONFIRMED


class Action(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    CANCEL = "cancel"
    NO_SHOW = "no_show"
    DELETE = "delete"
    MOVE = "move"


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[BookingStatus]
    to: BookingStatus
    reason_required: bool = False


RULES: dict[Action, Rule] = {
    Action.CONFIRM: Rule(frozenset({PENDING}), CONFIRMED),
    Action.REJECT: Rule(frozenset({PENDING}), BookingStatus.REJECTED, reason_required=True),
    Action.CANCEL: Rule(frozenset({PENDING, CONFIRMED}), BookingStatus.CANCELLED),
    Action.NO_SHOW: Rule(frozenset({CONFIRMED}), BookingStatus.NO_SHOW),
    Action.DELETE: Rule(
        frozenset(
            {
                PENDING,
                CONFIRMED,
                BookingStatus.REJECTED,
                BookingStatus.CANCELLED,
                BookingStatus.NO_SHOW,
            }
        ),
        BookingStatus.DELETED,
    ),
    Action.MOVE: Rule(frozenset({PENDING, CONFIRMED}), BookingStatus.MOVED),
}


class NotAllowed(Conflict):
    pass


@dataclass(frozen=True)
class Change:
    """One step of a booking's history."""

    booking_id: str
    version: int
    at: datetime
    by: Actor
    from_status: BookingStatus | None
    to_status: BookingStatus
    reason: str | None = None
    from_slot_id: str | None = None
    to_slot_id: str | None = None
    from_step: str | None = None
    to_step: str | None = None
    """Names of the status pipeline's steps, when the booking goes through one."""


def apply(
    booking: Booking, action: Action, *, by: Actor, at: datetime, reason: str | None = None
) -> Booking:
    """The booking after `action`, or NotAllowed naming why not."""
    rule = RULES[action]
    if booking.status not in rule.allowed_from:
        raise NotAllowed(f"a {booking.status.value} booking cannot be {_past(action)}")
    reason = reason.strip() if reason else None
    if rule.reason_required and not reason:
        raise InvalidRequest("reason", f"required to {action.value.replace('_', ' ')} a booking")
    return replace(
        booking,
        status=rule.to,
        version=booking.version + 1,
        updated_at=at,
        cancelled_by=by if rule.to is BookingStatus.CANCELLED else booking.cancelled_by,
        reason=reason or booking.reason,
    )


def _past(action: Action) -> str:
    return {
        Action.CONFIRM: "confirmed",
        Action.REJECT: "rejected",
        Action.CANCEL: "cancelled",
        Action.NO_SHOW: "marked as a no-show",
        Action.DELETE: "deleted",
        Action.MOVE: "moved",
    }[action]


@dataclass(frozen=True)
class Move:
    """A booking moving to another slot: what stays behind (marked moved, its seat freed
    as `seat_after_release` says), what arrives, and the history step."""

    moved_away: Booking
    arrived: Booking
    change: Change


def move(
    booking: Booking,
    *,
    to_slot_id: str,
    to_slot: SlotSummary,
    by: Actor,
    at: datetime,
    seat_after_release: SeatAfterRelease,
    chain_step: int = 0,
) -> Move:
    moved_away = replace(
        apply(booking, Action.MOVE, by=by, at=at),
        moved_to_slot_id=to_slot_id,
        seat_after_release=seat_after_release,
        chain_step=chain_step,
    )
    arrived = replace(
        booking,
        slot_id=to_slot_id,
        slot=to_slot,
        version=moved_away.version,
        updated_at=at,
        moved_from_slot_id=booking.slot_id,
        moved_to_slot_id=None,
        seat_after_release=None,
        chain_step=chain_step,
        # Reminders of the new slot already past are skipped, not sent late.
        reminded_until=at,
    )
    change = Change(
        booking_id=booking.booking_id,
        version=arrived.version,
        at=at,
        by=by,
        from_status=booking.status,
        to_status=arrived.status,
        from_slot_id=booking.slot_id,
        to_slot_id=to_slot_id,
    )
    return Move(moved_away, arrived, change)
