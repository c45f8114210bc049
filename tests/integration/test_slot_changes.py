"""Staff change a slot's capacity, staff member or location; added seats go to the
waiting list first."""

from __future__ import annotations

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about


def _slot(salon: Business, slot: str) -> dict[str, object]:
    slots = salon.staff("GET", "/staff/slots").body["slots"]
    return next(s for s in slots if s["slot_id"] == slot)


def test_seats_added_to_a_full_slot_go_to_the_waiting_customers_first(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")

    raised = salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 4})
    assert raised.status == 200, raised.body
    # One seat was Ada's; two are held for Bo and Cy; one is free for anyone.
    assert (raised.body["slot"]["free_seats"], raised.body["slot"]["held_for_waiting_list"]) == (
        1,
        2,
    )
    streams.settle(copies=2)

    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert sorted((b["customer"]["name"], b["source"]) for b in bookings) == [
        ("Ada", "direct"),
        ("Bo", "waiting_list"),
        ("Cy", "waiting_list"),
    ]
    assert sorted(m.to for m in sent_about("seat opened up")) == [
        "bo@example.com",
        "cy@example.com",
    ]
    assert (_slot(salon, slot)["free_seats"], _slot(salon, slot)["held_for_waiting_list"]) == (1, 0)


def test_capacity_cannot_drop_below_the_seats_taken(salon: Business) -> None:
    slot = salon.add_slot(capacity=3)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.book(slot, "Bo", email="bo@example.com")
    refused = salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 1})
    assert refused.status == 409 and refused.body["Message"].startswith("capacity: 2 seats")
    assert _slot(salon, slot)["capacity"] == 3
    assert salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 2}).status == 200
    assert _slot(salon, slot)["free_seats"] == 0


def test_staff_and_location_change_and_clear_leaving_the_rest_alone(salon: Business) -> None:
    slot = salon.add_slot(capacity=2, staff="Kari", location="Main street")
    moved = salon.staff("PATCH", f"/staff/slots/{slot}", {"staff": "Ola"})
    assert (moved.body["slot"]["staff"], moved.body["slot"]["location"]) == ("Ola", "Main street")
    cleared = salon.staff("PATCH", f"/staff/slots/{slot}", {"location": None})
    assert (cleared.body["slot"]["staff"], cleared.body["slot"]["location"]) == ("Ola", None)
    assert cleared.body["slot"]["capacity"] == 2


def test_an_empty_or_bad_change_is_refused_by_name(salon: Business) -> None:
    slot = salon.add_slot()
    empty = salon.staff("PATCH", f"/staff/slots/{slot}", {})
    assert empty.status == 400 and "capacity, staff or location" in empty.body["Message"]
    bad = salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 0})
    assert bad.status == 400 and bad.body["Message"].startswith("capacity:")
    assert salon.staff("PATCH", "/staff/slots/nope", {"capacity": 2}).status == 404


def test_messages_after_a_staff_change_name_the_new_staff_member(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1, staff="Kari")
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.staff("PATCH", f"/staff/slots/{slot}", {"staff": "Ola"})
    salon.staff("POST", f"/staff/slots/{slot}/bookings/{booking}/cancel", {"reason": "Ill"})
    streams.settle()
    [cancelled] = sent_about("Cancelled:")
    assert "With Ola" in cancelled.body and "Kari" not in cancelled.body
