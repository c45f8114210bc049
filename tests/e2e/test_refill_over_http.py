"""A freed seat goes to the waiting list, end to end, over HTTP against the local stack."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, wait_for

REFILL_DEADLINE_SECONDS = 2.0

KARI = {"name": "Kari Nordmann", "email": "kari@example.com"}
OLA = {"name": "Ola Nordmann", "email": "ola@example.com"}


def emails_to(stack: RunningStack, address: str) -> list[dict[str, Any]]:
    status, outbox = stack.call("GET", "/_local/outbox")
    assert status == 200, outbox
    return [m for m in outbox["messages"] if m["channel"] == "email" and m["to"] == address]


def waiting_list_bookings(stack: RunningStack, slot: str, email: str) -> list[dict[str, Any]]:
    status, body = stack.call("GET", f"/staff/slots/{slot}/bookings", staff=True)
    assert status == 200, body
    return [
        booking
        for booking in body["bookings"]
        if booking["customer"]["email"] == email
        and booking["status"] == "confirmed"
        and booking["source"] == "waiting_list"
    ]


@pytest.mark.e2e
def test_a_cancelled_seat_goes_to_the_waiting_customer_who_is_told_by_email(
    local_stack: RunningStack, record_property: Any
) -> None:
    stack = local_stack
    business, slot = stack.exports["BUSINESS"], stack.exports["SLOT"]
    slot_path = f"/businesses/{business}/slots/{slot}"

    status, kari = stack.call("POST", f"{slot_path}/bookings", KARI)
    assert status == 201, kari
    assert kari["manage_token"] and kari["manage_url"]

    status, refused = stack.call("POST", f"{slot_path}/bookings", OLA)
    assert status == 409, refused

    status, joined = stack.call("POST", f"{slot_path}/waiting-list", OLA)
    assert status == 201, joined
    assert joined["position"] == 1

    emails_before = len(emails_to(stack, OLA["email"]))
    status, cancelled = stack.call("POST", f"/bookings/{kari['manage_token']}/cancel")
    cancelled_at = time.monotonic()
    assert status == 200, cancelled

    told = wait_for(
        lambda: len(emails_to(stack, OLA["email"])) > emails_before, REFILL_DEADLINE_SECONDS
    )
    latency = time.monotonic() - cancelled_at
    booked = wait_for(
        lambda: waiting_list_bookings(stack, slot, OLA["email"]),
        max(0.0, REFILL_DEADLINE_SECONDS - (time.monotonic() - cancelled_at)),
    )

    record_property("refill_latency_seconds", round(latency, 3))
    print(f"cancellation -> email in the outbox: {latency * 1000:.0f} ms")
    assert told, f"no email to Ola within {REFILL_DEADLINE_SECONDS} s:\n{stack.output()}"
    assert len(booked) == 1, f"no waiting-list booking for Ola:\n{stack.output()}"
    dead = stack.call("GET", "/_local/outbox")[1]["dead_letters"]
    assert dead == [], f"{dead}\n{stack.output()}"
