"""One at a time, over HTTP on the local stack: the first waiting customer's offer runs
out, the next customer is offered the seat, accepts, and is booked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, wait_for

WINDOW_SECONDS = 10
ACCEPT_LINK = re.compile(r"(/offers/[A-Za-z0-9._-]+/accept)")


def _messages_to(stack: RunningStack, address: str, words: str) -> list[dict[str, Any]]:
    _, outbox = stack.call("GET", "/_local/outbox")
    return [
        m
        for m in outbox["messages"]
        if m["to"] == address and words in (m.get("subject") or m.get("body") or "")
    ]


@pytest.fixture
def short_offer_window(local_stack: RunningStack) -> Iterator[None]:
    _, profile = local_stack.call("GET", "/staff/business", staff=True)
    kept = {k: profile[k] for k in ("name", "time_zone", "language")}
    status, body = local_stack.call(
        "PUT", "/staff/business", kept | {"offer_window_seconds": WINDOW_SECONDS}, staff=True
    )
    assert status == 200, body
    yield
    local_stack.call("PUT", "/staff/business", kept, staff=True)


@pytest.mark.e2e
def test_an_offer_runs_out_passes_to_the_next_customer_who_accepts_and_is_booked(
    local_stack: RunningStack, short_offer_window: None
) -> None:
    stack = local_stack
    business = stack.exports["BUSINESS"]
    status, created = stack.call(
        "POST",
        "/staff/services",
        {"name": "Colour", "duration_minutes": 60, "waiting_list_mode": "one_at_a_time"},
        staff=True,
    )
    assert status == 201, created
    starts_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    status, slots = stack.call(
        "POST",
        "/staff/slots",
        {"service_id": created["services"][0]["service_id"], "starts_at": starts_at, "capacity": 1},
        staff=True,
    )
    assert status == 201, slots
    slot = slots["slots"][0]["slot_id"]
    path = f"/businesses/{business}/slots/{slot}"
    _, ada = stack.call("POST", f"{path}/bookings", {"name": "Ada", "email": "ada@offers.example"})
    for name in ("Bo", "Cy"):
        status, _ = stack.call(
            "POST",
            f"{path}/waiting-list",
            {"name": name, "email": f"{name.lower()}@offers.example"},
        )
        assert status == 201

    stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    assert wait_for(lambda: _messages_to(stack, "bo@offers.example", "answer by"), 3), (
        stack.output()
    )

    # Bo lets the window run out: the scheduler pump fires the round's schedule.
    offered_to_cy = wait_for(
        lambda: _messages_to(stack, "cy@offers.example", "answer by"), WINDOW_SECONDS + 8
    )
    assert offered_to_cy, stack.output()
    assert _messages_to(stack, "bo@offers.example", "offered to someone else")

    match = ACCEPT_LINK.search(offered_to_cy[0]["body"])
    assert match, offered_to_cy[0]
    status, accepted = stack.call("POST", match.group(1))
    assert status == 200, accepted
    assert accepted["booking"]["source"] == "waiting_list"
    assert accepted["booking"]["payment_status"] == "unpaid"

    _, bookings = stack.call("GET", f"/staff/slots/{slot}/bookings", staff=True)
    assert [(b["customer"]["name"], b["status"]) for b in bookings["bookings"]] == [
        ("Ada", "cancelled"),
        ("Cy", "confirmed"),
    ]
    _, allocations = stack.call("GET", f"/staff/slots/{slot}/allocations", staff=True)
    [decision] = allocations["allocations"]
    assert (decision["outcome"], decision["offer_rounds"], len(decision["offered_to"])) == (
        "booked",
        2,
        2,
    )
