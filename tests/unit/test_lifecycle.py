from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.lifecycle import RULES, Action, NotAllowed, apply
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Contact,
    SlotSummary,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def booking(status: BookingStatus) -> Booking:
    return Booking(
        business_id="b",
        slot_id="s",
        booking_id="k",
        status=status,
        source=BookingSource.DIRECT,
        contact=Contact(name="Ada", email="ada@example.com"),
        slot=SlotSummary("Salon", "UTC", "en", "Cut", NOW, NOW + timedelta(hours=1)),
        created_at=NOW,
    )


ALL_STATUSES = list(BookingStatus)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_each_action_is_allowed_from_its_statuses_only(
    action: Action, status: BookingStatus
) -> None:
    rule = RULES[action]
    if status in rule.allowed_from:
        after = apply(booking(status), action, by=Actor.STAFF, at=NOW, reason="because")
        assert (after.status, after.version, after.updated_at) == (rule.to, 2, NOW)
    else:
        with pytest.raises(NotAllowed, match=f"a {status.value} booking cannot be"):
            apply(booking(status), action, by=Actor.STAFF, at=NOW, reason="because")


def test_only_bookings_holding_a_seat_give_one_up() -> None:
    holders = {s for s in BookingStatus if s.holds_seat}
    assert holders == {BookingStatus.PENDING, BookingStatus.CONFIRMED}


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidRequest, match="reason"):
        apply(booking(BookingStatus.PENDING), Action.REJECT, by=Actor.STAFF, at=NOW, reason="  ")
    rejected = apply(
        booking(BookingStatus.PENDING),
        Action.REJECT,
        by=Actor.STAFF,
        at=NOW,
        reason=" Fully booked ",
    )
    assert rejected.reason == "Fully booked"


def test_a_cancellation_records_who_cancelled() -> None:
    cancelled = apply(booking(BookingStatus.CONFIRMED), Action.CANCEL, by=Actor.CUSTOMER, at=NOW)
    assert cancelled.cancelled_by is Actor.CUSTOMER
