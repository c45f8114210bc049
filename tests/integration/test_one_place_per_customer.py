"""One customer, one place: at most one open entry per list and one seat per slot, however
often they ask and whichever lists they wait on; no refill or offer round chooses them
twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about


def _window(salon: Business, name: str, email: str, *, days_ahead: int = 2) -> Any:
    """A window entry of the salon's service around the slots `add_slot` makes."""
    # On the hour, so two calls a moment apart ask for the same window.
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(
        minute=0, second=0, microsecond=0
    )
    return salon.api.call(
        "POST",
        f"/businesses/{salon.business_id}/services/{salon.service_id}/waiting-list",
        {
            "name": name,
            "email": email,
            "starts_from": (day - timedelta(days=1)).isoformat(),
            "ends_by": (day + timedelta(days=1)).isoformat(),
        },
    )


def _profile(salon: Business, **settings: Any) -> None:
    answer = salon.staff(
        "PUT",
        "/staff/business",
        {"name": "Salon A", "time_zone": "Europe/Oslo", "language": "en", **settings},
    )
    assert answer.status == 200, answer.body


def _holding(salon: Business, slot: str) -> list[str]:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return sorted(
        b["customer"]["email"] for b in bookings if b["status"] in ("confirmed", "pending")
    )


def test_joining_a_list_again_answers_with_the_place_already_held_and_sends_nothing_more(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    first = salon.join(slot, "Bo", email="bo@example.com")
    again = salon.join(slot, "Bo", email="  BO@Example.com ")
    streams.settle()

    assert (first.status, again.status) == (201, 200)
    assert again.body["entry"]["entry_id"] == first.body["entry"]["entry_id"]
    assert again.body["position"] == 1
    assert again.body["already_waiting"] is True
    assert "token" not in again.body  # the link went to Bo, not to whoever repeats his email
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert len(entries) == 1
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert listed["waiting_list_length"] == 1
    assert len(sent_about("on the waiting list for")) == 1


def test_a_customer_who_left_a_list_can_join_it_again(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    first = salon.join(slot, "Bo", email="bo@example.com")
    assert salon.api.call("DELETE", f"/waiting-list/{first.body['token']}").status == 200

    again = salon.join(slot, "Bo", email="bo@example.com")

    assert again.status == 201
    assert again.body["entry"]["entry_id"] != first.body["entry"]["entry_id"]


def test_booking_a_slot_again_answers_with_the_booking_already_held_and_takes_no_second_seat(
    salon: Business,
) -> None:
    slot = salon.add_slot(capacity=3)
    first = salon.book(slot, "Ada", email="ada@example.com")
    again = salon.book(slot, "Ada", email="ADA@example.com")

    assert (first.status, again.status) == (201, 200)
    assert again.body["booking"]["booking_id"] == first.body["booking"]["booking_id"]
    assert again.body["already_booked"] is True
    assert "manage_token" not in again.body
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert listed["free_seats"] == 2


def test_a_customer_holding_a_seat_cannot_join_the_slots_list(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")

    answer = salon.join(slot, "Ada", email="ada@example.com")

    assert answer.status == 409
    assert "already have a booking" in answer.body["Message"]


def test_joining_the_same_window_again_answers_with_the_place_already_held(
    salon: Business,
) -> None:
    first = _window(salon, "Bo", "bo@example.com")
    again = _window(salon, "Bo", "Bo@example.com")

    assert (first.status, again.status) == (201, 200)
    assert again.body["entry"]["entry_id"] == first.body["entry"]["entry_id"]


def test_a_customer_on_a_slots_list_and_a_window_gets_one_offer_and_the_seat_is_not_stuck(
    salon: Business, streams: Streams
) -> None:
    _profile(salon, waiting_list_mode="offer_to_many", max_offers_per_day=3)
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    assert salon.join(slot, "Bo", email="bo@example.com").status == 201
    assert _window(salon, "Bo", "bo@example.com").status == 201
    assert salon.join(slot, "Cy", email="cy@example.com").status == 201

    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()

    assert sorted(m.to for m in sent_about("answer by")) == [
        "bo@example.com",
        "cy@example.com",
    ]
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert decision["outcome"] == "offering"
    assert "the same customer is ahead in line on another list" in [
        skipped["reason"] for skipped in decision["skipped"]
    ]
    assert salon.staff("GET", "/staff/stuck").body["holds"] == []


def test_the_refill_gives_one_customer_one_seat_and_the_next_one_goes_to_the_next_customer(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=2)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    eve = salon.book(slot, "Eve", email="eve@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    _window(salon, "Bo", "bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")

    salon.api.call("POST", f"/bookings/{ada}/cancel")
    salon.api.call("POST", f"/bookings/{eve}/cancel")
    streams.settle()

    assert _holding(salon, slot) == ["bo@example.com", "cy@example.com"]
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert listed["held_for_waiting_list"] == 0


def test_a_window_customer_who_booked_the_slot_directly_is_passed_over_with_the_reason(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=2)
    _window(salon, "Bo", "bo@example.com")
    salon.book(slot, "Bo", email="bo@example.com")
    ada = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]

    salon.api.call("POST", f"/bookings/{ada}/cancel")
    streams.settle()

    assert _holding(salon, slot) == ["bo@example.com"]
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert decision["outcome"] == "released"
    assert [skipped["reason"] for skipped in decision["skipped"]] == [
        "already holds a seat of this slot"
    ]
    assert salon.staff("GET", "/staff/slots").body["slots"][0]["free_seats"] == 1


def test_staff_offering_a_seat_to_two_places_of_one_customer_ask_them_once(
    salon: Business, streams: Streams
) -> None:
    _profile(salon, waiting_list_mode="manual")
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    bo = entries[0]["entry_id"]

    answer = salon.staff("POST", f"/staff/slots/{slot}/offers", {"entry_ids": [bo, bo]})

    assert answer.status == 201, answer.body
    assert len(answer.body["offers"]) == 1


def test_moving_a_booking_into_a_slot_where_the_customer_holds_a_seat_is_refused(
    salon: Business,
) -> None:
    first = salon.add_slot(capacity=2)
    second = salon.add_slot(capacity=2, days_ahead=3)
    ada = salon.book(first, "Ada", email="ada@example.com").body["manage_token"]
    salon.book(second, "Ada", email="ada@example.com")

    answer = salon.api.call("POST", f"/bookings/{ada}/move", {"slot_id": second})

    assert answer.status == 409
    assert _holding(salon, first) == ["ada@example.com"]
    assert _holding(salon, second) == ["ada@example.com"]


def test_an_offer_to_many_asks_as_many_as_fit_one_write_and_the_rest_keep_their_place(
    salon: Business, streams: Streams
) -> None:
    _profile(salon, waiting_list_mode="offer_to_many", message_channels="both")
    copies = salon.staff(
        "POST",
        "/staff/workflows",
        {
            "name": "Front desk copies",
            "trigger": "offer_made",
            "channel": "email",
            "addresses": ["desk@example.com", "owner@example.com"],
        },
    )
    assert copies.status == 201, copies.body
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    for number in range(16):
        joined = salon.join(
            slot,
            f"Guest {number}",
            email=f"guest{number}@example.com",
            phone=f"+479123{4500 + number}",
        )
        assert joined.status == 201, joined.body

    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()

    # Each offer writes 3 items and 4 messages (email, text, two copies): 1 + 14 * 7 <= 100.
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert decision["outcome"] == "offering"
    assert len(decision["offered_to"]) == 14
    assert salon.staff("GET", "/staff/stuck").body["holds"] == []
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [e["status"] for e in entries].count("waiting") == 2
