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
