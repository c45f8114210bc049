from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    Contact,
    SeatAfterRelease,
    SlotSummary,
)
from chalicelib.domain.seats import HOLD_DECISION_BOUND, freed_seat, hold_for, seat_after_release

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONFIRMED = Booking(
    business_id="b",
    slot_id="s",
    booking_id="k",
    status=BookingStatus.CONFIRMED,
    source=BookingSource.DIRECT,
    contact=Contact(name="Ada", email="ada@example.com"),
    slot=SlotSummary("Salon", "UTC", "en", "Cut", NOW, NOW + timedelta(hours=1)),
    created_at=NOW,
)


def cancelled(seat: SeatAfterRelease) -> Booking:
    return replace(CONFIRMED, status=BookingStatus.CANCELLED, version=2, seat_after_release=seat)


def test_a_seat_is_held_for_the_list_only_when_someone_waits() -> None:
    assert seat_after_release(0) is SeatAfterRelease.BACK_ON_SALE
    assert seat_after_release(3) is SeatAfterRelease.HELD_FOR_WAITING_LIST


def test_a_cancellation_that_held_the_seat_is_a_freed_seat_for_the_list() -> None:
    freed = freed_seat(CONFIRMED, cancelled(SeatAfterRelease.HELD_FOR_WAITING_LIST))
    assert freed is not None
    assert (freed.slot_id, freed.held_for_waiting_list, freed.cause) == ("s", True, "k.v1")


def test_a_cancellation_that_put_the_seat_back_on_sale_leaves_nothing_to_refill() -> None:
    freed = freed_seat(CONFIRMED, cancelled(SeatAfterRelease.BACK_ON_SALE))
    assert freed is not None and not freed.held_for_waiting_list


def test_changes_that_free_no_seat_are_ignored() -> None:
    gone = cancelled(SeatAfterRelease.HELD_FOR_WAITING_LIST)
    assert freed_seat(None, CONFIRMED) is None  # a new booking
    assert freed_seat(CONFIRMED, replace(CONFIRMED, version=2)) is None  # still holds it
    assert freed_seat(gone, gone) is None  # was already free


def test_a_removed_booking_frees_its_seat() -> None:
    freed = freed_seat(CONFIRMED, None)
    assert freed is not None and not freed.held_for_waiting_list


def test_a_hold_is_named_by_the_cause_the_refill_sees_and_must_be_decided_within_the_bound() -> (
    None
):
    released = cancelled(SeatAfterRelease.HELD_FOR_WAITING_LIST)
    hold = hold_for(released, NOW)
    freed = freed_seat(CONFIRMED, released)

    assert freed is not None and hold.freed() == freed
    assert hold.decide_by == NOW + HOLD_DECISION_BOUND
    assert not hold.is_overdue(NOW + HOLD_DECISION_BOUND - timedelta(seconds=1))
    assert hold.is_overdue(NOW + HOLD_DECISION_BOUND)
