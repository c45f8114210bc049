"""Manual mode: staff are told who waits when a seat frees, the seat stays on sale, and
staff can book a waiting customer straight from the list."""

from __future__ import annotations

import re

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about

ACCEPT_LINK = re.compile(r"/o/([A-Za-z0-9._-]+)\?do=accept")


def _manual(salon: Business) -> None:
    profile = salon.staff("GET", "/staff/business").body
    answer = salon.staff(
        "PUT",
        "/staff/business",
        {k: profile[k] for k in ("name", "time_zone", "language")}
        | {"waiting_list_mode": "manual", "staff_email": "desk@salon.example"},
    )
    assert answer.status == 200, answer.body


def test_a_freed_seat_stays_on_sale_and_staff_are_told_who_waits_in_order(
    salon: Business, streams: Streams
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", phone="+4791234567")

    salon.api.call("POST", f"/bookings/{holder}/cancel")
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (1, 0)
    streams.settle(copies=2)

    [notice] = sent_about("A seat is free")
    assert notice.to == "desk@salon.example"
    assert notice.body.index("Bo") < notice.body.index("Cy")
    assert sent_about("seat opened up") == []  # nobody was booked or offered the seat
    assert salon.book(slot, "Di", email="di@example.com").status == 201


def test_staff_book_a_waiting_customer_straight_from_the_list(
    salon: Business, streams: Streams
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    cy = salon.join(slot, "Cy", email="cy@example.com").body["entry"]["entry_id"]

    full = salon.staff("POST", f"/staff/slots/{slot}/waiting-list/{cy}/book")
    assert full.status == 409 and "full" in full.body["Message"]
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    booked = salon.staff("POST", f"/staff/slots/{slot}/waiting-list/{cy}/book")
    assert booked.status == 201, booked.body
    assert (booked.body["booking"]["source"], booked.body["booking"]["payment_status"]) == (
        "waiting_list",
        "unpaid",
    )
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [(e["customer"]["name"], e["status"], e["position"]) for e in entries] == [
        ("Bo", "waiting", 1),
        ("Cy", "booked", None),
    ]
    again = salon.staff("POST", f"/staff/slots/{slot}/waiting-list/{cy}/book")
    assert again.status == 409
    streams.settle()
    assert [m.to for m in sent_about("seat opened up")] == ["cy@example.com"]


def test_staff_offer_a_free_seat_to_chosen_customers_and_the_first_to_accept_gets_it(
    salon: Business, streams: Streams
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    bo = salon.join(slot, "Bo", email="bo@example.com").body["entry"]["entry_id"]
    cy = salon.join(slot, "Cy", email="cy@example.com").body["entry"]["entry_id"]
    salon.join(slot, "Di", email="di@example.com")
    refused = salon.staff("POST", f"/staff/slots/{slot}/offers", {"entry_ids": [cy, bo]})
    assert refused.status == 409 and "no free seat" in refused.body["Message"]
    salon.api.call("POST", f"/bookings/{holder}/cancel")

    made = salon.staff("POST", f"/staff/slots/{slot}/offers", {"entry_ids": [cy, bo]})
    assert made.status == 201, made.body
    streams.settle()
    assert sorted(m.to for m in sent_about("answer by")) == ["bo@example.com", "cy@example.com"]
    # Meanwhile the seat is still on sale; Cy answers first.
    tokens = _offer_tokens()
    accepted = salon.api.call("POST", f"/offers/{tokens['Cy']}/accept")
    assert accepted.status == 200 and accepted.body["booking"]["payment_status"] == "unpaid"
    late = salon.api.call("POST", f"/offers/{tokens['Bo']}/accept")
    assert late.status == 409 and "another customer" in late.body["Message"]
    assert salon.staff("GET", "/staff/slots").body["slots"][0]["free_seats"] == 0


def test_an_offer_from_staff_cannot_be_taken_once_someone_booked_the_seat(
    salon: Business, streams: Streams
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    bo = salon.join(slot, "Bo", email="bo@example.com").body["entry"]["entry_id"]
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    salon.staff("POST", f"/staff/slots/{slot}/offers", {"entry_ids": [bo]})
    assert salon.book(slot, "Walk-in", email="walk@example.com").status == 201
    streams.settle()

    answer = salon.api.call("POST", f"/offers/{_offer_tokens()['Bo']}/accept")
    assert answer.status == 409 and "booked by someone else" in answer.body["Message"]
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [(e["customer"]["name"], e["status"]) for e in entries] == [("Bo", "offered")]


def _offer_tokens() -> dict[str, str]:
    """The accept-link token in each offer sent, by the customer's first name."""
    tokens = {}
    for sent in sent_about("answer by"):
        match = ACCEPT_LINK.search(sent.body)
        assert match, sent.body
        tokens[sent.to.split("@")[0].capitalize()] = match.group(1)
    return tokens
