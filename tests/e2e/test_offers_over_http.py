"""One at a time, over HTTP on the local stack: the first waiting customer's offer runs
out, the next customer is offered the seat, accepts, and is booked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, wait_for

WINDOW_SECONDS = 10
# The link in the message opens the offer page; the API accepts with the same token.
ACCEPT_LINK = re.compile(r"/o/([A-Za-z0-9._-]+)\?do=accept")


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
    # Each message is sent on its own: Bo's notice may arrive just after Cy's offer.
    assert wait_for(lambda: _messages_to(stack, "bo@offers.example", "offered to someone else"), 3)

    match = ACCEPT_LINK.search(offered_to_cy[0]["body"])
    assert match, offered_to_cy[0]
    status, accepted = stack.call("POST", f"/offers/{match.group(1)}/accept")
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


@pytest.mark.e2e
def test_two_customers_racing_to_accept_an_offer_to_many_get_one_seat(
    local_stack: RunningStack,
) -> None:
    stack = local_stack
    business = stack.exports["BUSINESS"]
    _, created = stack.call(
        "POST",
        "/staff/services",
        {"name": "Massage", "duration_minutes": 60, "waiting_list_mode": "offer_to_many"},
        staff=True,
    )
    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    _, slots = stack.call(
        "POST",
        "/staff/slots",
        {"service_id": created["services"][0]["service_id"], "starts_at": starts_at, "capacity": 1},
        staff=True,
    )
    slot = slots["slots"][0]["slot_id"]
    path = f"/businesses/{business}/slots/{slot}"
    _, ada = stack.call("POST", f"{path}/bookings", {"name": "Ada", "email": "ada@race.example"})
    for name in ("Bo", "Cy"):
        stack.call("POST", f"{path}/waiting-list", {"name": name, "email": f"{name}@race.example"})
    stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")

    def offer_to(who: str) -> list[dict[str, Any]]:
        return _messages_to(stack, f"{who}@race.example", "answer by")

    offers = [wait_for(partial(offer_to, who), 6) for who in ("Bo", "Cy")]
    links = []
    for found in offers:
        assert found, stack.output()
        match = ACCEPT_LINK.search(found[0]["body"])
        assert match, found[0]
        links.append(f"/offers/{match.group(1)}/accept")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda link: stack.call("POST", link), links))
    assert sorted(status for status, _ in answers) == [200, 409]
    [refused] = [body for status, body in answers if status == 409]
    assert "another customer accepted this seat first" in refused["Message"]
    _, bookings = stack.call("GET", f"/staff/slots/{slot}/bookings", staff=True)
    assert [b["status"] for b in bookings["bookings"]] == ["cancelled", "confirmed"]
