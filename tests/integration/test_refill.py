"""A seat freed by a cancellation goes to whoever has waited longest, who is told at once."""

from __future__ import annotations

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_messages


def test_a_cancelled_seat_goes_to_the_customer_who_has_waited_longest(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com")
    assert holder.status == 201
    first = salon.join(slot, "Bo", email="bo@example.com")
    second = salon.join(slot, "Cy", email="cy@example.com")
    assert (first.body["position"], second.body["position"]) == (1, 2)

    cancelled = salon.api.call("POST", f"/bookings/{holder.body['manage_token']}/cancel")
    assert cancelled.status == 200
    streams.settle()

    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    confirmed = [b for b in bookings if b["status"] == "confirmed"]
    assert [(b["customer"]["name"], b["source"]) for b in confirmed] == [("Bo", "waiting_list")]
    assert [m.to for m in sent_messages()] == ["bo@example.com"]
    assert "Haircut" in (sent_messages()[0].subject or "")
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [(e["customer"]["name"], e["status"], e["position"]) for e in entries] == [
        ("Bo", "booked", None),
        ("Cy", "waiting", 1),
    ]
    slots = salon.staff("GET", "/staff/slots").body["slots"]
    assert (slots[0]["free_seats"], slots[0]["held_for_waiting_list"]) == (0, 0)
