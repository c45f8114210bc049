"""Customers racing over HTTP for the same seat: exactly one gets it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import RunningStack

RACERS = 8


def _fresh_slot(stack: RunningStack, capacity: int) -> str:
    status, services = stack.call("GET", "/staff/services", staff=True)
    assert status == 200, services
    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    status, created = stack.call(
        "POST",
        "/staff/slots",
        {
            "service_id": services["services"][0]["service_id"],
            "starts_at": starts_at,
            "capacity": capacity,
        },
        staff=True,
    )
    assert status == 201, created
    return str(created["slots"][0]["slot_id"])


@pytest.mark.e2e
def test_clients_racing_for_the_last_seat_get_exactly_one_booking(
    local_stack: RunningStack,
) -> None:
    slot = _fresh_slot(local_stack, capacity=1)
    path = f"/businesses/{local_stack.exports['BUSINESS']}/slots/{slot}/bookings"

    def race(number: int) -> int:
        status, _ = local_stack.call(
            "POST", path, {"name": f"Racer {number}", "email": f"racer{number}@example.com"}
        )
        return status

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        statuses = sorted(pool.map(race, range(RACERS)))

    assert statuses == [201] + [409] * (RACERS - 1)
    status, body = local_stack.call("GET", f"/staff/slots/{slot}/bookings", staff=True)
    assert status == 200, body
    assert [b["status"] for b in body["bookings"]] == ["confirmed"]


@pytest.mark.e2e
@pytest.mark.parametrize("round_number", range(5))
def test_a_move_racing_a_booking_for_the_targets_last_seat_lets_exactly_one_through(
    local_stack: RunningStack, round_number: int
) -> None:
    business = local_stack.exports["BUSINESS"]
    source, target = _fresh_slot(local_stack, capacity=1), _fresh_slot(local_stack, capacity=1)
    status, held = local_stack.call(
        "POST",
        f"/businesses/{business}/slots/{source}/bookings",
        {"name": "Mover", "email": f"mover{round_number}@example.com"},
    )
    assert status == 201, held
    move_path = f"/staff/slots/{source}/bookings/{held['booking']['booking_id']}/move"
    book_path = f"/businesses/{business}/slots/{target}/bookings"
    booker = {"name": "Booker", "email": f"booker{round_number}@example.com"}

    with ThreadPoolExecutor(max_workers=2) as pool:
        moving = pool.submit(local_stack.call, "POST", move_path, {"slot_id": target}, staff=True)
        booking = pool.submit(local_stack.call, "POST", book_path, booker)
        moved, booked = moving.result()[0], booking.result()[0]

    assert (moved, booked) in {(200, 409), (409, 201)}
    _, slots = local_stack.call("GET", "/staff/slots", staff=True)
    free = {s["slot_id"]: s["free_seats"] for s in slots["slots"]}
    # The target is full either way; the source is free again only if the move won.
    assert free[target] == 0
    assert free[source] == (1 if moved == 200 else 0)
