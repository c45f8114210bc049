"""A seat freed by a cancellation goes to whoever has waited longest, who is told at once."""

from __future__ import annotations

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about


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
    assert [m.to for m in sent_about("seat opened up")] == ["bo@example.com"]
    assert "Haircut" in (sent_about("seat opened up")[0].subject or "")
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [(e["customer"]["name"], e["status"], e["position"]) for e in entries] == [
        ("Bo", "booked", None),
        ("Cy", "waiting", 1),
    ]
    slots = salon.staff("GET", "/staff/slots").body["slots"]
    assert (slots[0]["free_seats"], slots[0]["held_for_waiting_list"]) == (0, 0)


def _full_slot_with_waiting(salon: Business, *waiting: dict[str, str]) -> tuple[str, str]:
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com")
    for contact in waiting:
        assert salon.join(slot, **contact).status == 201
    return slot, str(holder.body["manage_token"])


def test_every_stream_record_delivered_twice_still_makes_one_booking_and_one_message(
    salon: Business, streams: Streams
) -> None:
    slot, holder = _full_slot_with_waiting(
        salon, {"name": "Bo", "email": "bo@example.com"}, {"name": "Cy", "email": "cy@example.com"}
    )
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle(copies=2)

    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [b["customer"]["name"] for b in bookings if b["status"] == "confirmed"] == ["Bo"]
    assert [m.to for m in sent_about("seat opened up")] == ["bo@example.com"]
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [e["status"] for e in entries] == ["booked", "waiting"]


def test_a_customer_with_only_a_phone_gets_a_text(salon: Business, streams: Streams) -> None:
    _, holder = _full_slot_with_waiting(salon, {"name": "Bo", "phone": "+4791234567"})
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()
    [text] = sent_about("seat opened up")
    assert (text.channel, text.to) == ("sms", "+4791234567")
    assert "Haircut" in text.body


def test_when_everyone_waiting_left_the_held_seat_goes_back_on_sale(
    salon: Business, streams: Streams
) -> None:
    slot, holder = _full_slot_with_waiting(salon, {"name": "Bo", "email": "bo@example.com"})
    leaver = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"][0]
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (0, 1)
    # Bo leaves after the seat was held for him, before the refill ran.
    _leave(salon, slot, leaver["entry_id"])
    streams.settle()
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (1, 0)
    assert sent_about("seat opened up") == []
    assert salon.book(slot, "Di", email="di@example.com").status == 201


def _leave(salon: Business, slot: str, entry_id: str) -> None:
    from chalicelib.bootstrap import services

    links = services().links
    token = links.entry_token(salon.business_id, slot, entry_id)
    assert salon.api.call("DELETE", f"/waiting-list/{token}").status == 200
